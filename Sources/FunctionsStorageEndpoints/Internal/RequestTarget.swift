/// A path-style request target, `/account/resource/...?query`, split and percent-decoded.
///
/// `rawPath` is kept exactly as received: SharedKey signs the path as the client sent it
/// (encoded), so the canonicalized resource is built from it, not from the decoded segments.
struct RequestTarget: Sendable {
  /// The path as received, without the query, e.g. `/devstoreaccount1/my%20container/a/b.txt`.
  var rawPath: Substring
  /// The account segment, decoded.
  var account: String
  /// The first segment after the account (queue or container), decoded; `nil` at the account level.
  var resource: String?
  /// Everything after the resource segment, decoded (`messages`, `messages/<id>` or a blob name
  /// with its slashes); `nil` when absent or empty.
  var subpath: String?
  /// The query parameters, names lower-cased, values percent-decoded (`+` stays `+`, as the
  /// Azure SDKs encode spaces as `%20`), in the order received.
  var query: [(name: String, value: String)]

  /// Parses `target` (the request's path and query).
  ///
  /// - Returns: `nil` when the path or a query value is not valid percent-encoded UTF-8.
  init?(_ target: String) {
    let questionMark = target.firstIndex(of: "?")
    let path = target[..<(questionMark ?? target.endIndex)]
    rawPath = path
    var rest = path.drop { $0 == "/" }
    let accountEnd = rest.firstIndex(of: "/") ?? rest.endIndex
    guard let account = Self.percentDecode(rest[..<accountEnd]) else { return nil }
    self.account = account
    rest = rest[accountEnd...].dropFirst()
    let resourceEnd = rest.firstIndex(of: "/") ?? rest.endIndex
    if resourceEnd > rest.startIndex {
      guard let resource = Self.percentDecode(rest[..<resourceEnd]) else { return nil }
      self.resource = resource
    }
    let tail = rest[resourceEnd...].dropFirst()
    // `/acct//x`: a path below an empty resource name.
    if resource == nil, resourceEnd < rest.endIndex { return nil }
    if !tail.isEmpty {
      guard let subpath = Self.percentDecode(tail) else { return nil }
      self.subpath = subpath
    }
    query = []
    if let questionMark {
      for pair in target[target.index(after: questionMark)...].split(separator: "&") {
        let equals = pair.firstIndex(of: "=") ?? pair.endIndex
        guard let name = Self.percentDecode(pair[..<equals]),
          let value = Self.percentDecode(equals == pair.endIndex ? "" : pair[pair.index(after: equals)...])
        else { return nil }
        query.append((name.lowercased(), value))
      }
    }
  }

  /// The value of the query parameter `name` (lower case), if present.
  func query(_ name: String) -> String? {
    query.first { $0.name == name }?.value
  }

  /// Decodes `%XX` escapes; `nil` for a malformed escape or invalid UTF-8.
  static func percentDecode(_ text: Substring) -> String? {
    guard text.utf8.contains(UInt8(ascii: "%")) else { return String(text) }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(text.utf8.count)
    var iterator = text.utf8.makeIterator()
    while let byte = iterator.next() {
      guard byte == UInt8(ascii: "%") else {
        bytes.append(byte)
        continue
      }
      guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
        return nil
      }
      bytes.append(high << 4 | low)
    }
    return String(validating: bytes, as: UTF8.self)
  }

  private static func hexValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
    default: nil
    }
  }
}
