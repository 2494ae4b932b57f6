internal import Foundation

/// Fresh identifiers: message ids, pop receipts and ETags.
package enum Identifiers {
  /// A message id: a lower-case UUID, as Azure's.
  package static func messageID() -> String {
    UUID().uuidString.lowercased()
  }

  /// A pop receipt: 16 random bytes in URL-safe base64 without padding (safe in a query string
  /// without escaping).
  package static func popReceipt() -> String {
    var generator = SystemRandomNumberGenerator()
    let bytes = (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    return Data(bytes).base64EncodedString()
      .replacingOccurrences(of: "+", with: "-")
      .replacingOccurrences(of: "/", with: "_")
      .replacingOccurrences(of: "=", with: "")
  }

  /// A quoted ETag in Azure's shape, `"0x8D` followed by 13 random upper-case hex digits`"`.
  package static func etag() -> String {
    let value = UInt64.random(in: 0..<(1 << 52))
    let hex = String(value, radix: 16, uppercase: true)
    return "\"0x8D" + String(repeating: "0", count: 13 - hex.count) + hex + "\""
  }

  /// An ETag without its quotes (and without a weak `W/` marker), for comparisons: clients send
  /// ETags back both quoted and bare.
  package static func normalizedETag(_ etag: String) -> String {
    var value = Substring(etag.trimmingCharacters(in: .whitespaces))
    if value.hasPrefix("W/") { value = value.dropFirst(2) }
    if value.count >= 2, value.first == "\"", value.last == "\"" { value = value.dropFirst().dropLast() }
    return String(value)
  }
}
