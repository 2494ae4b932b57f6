internal import Foundation
internal import FunctionsStoragePostgres

/// Keeps keys and connection-string secrets out of log lines, in both log formats: `code=` query values
/// (as the front door redacts request targets), `AccountKey=`, `SharedAccessKey=`, `sig=` and `password=` values of
/// connection strings and SAS tokens, and passwords in `postgres://` URLs.
enum LogRedaction {
  private static let secretKeys = ["accountkey=", "sharedaccesskey=", "sig=", "password=", "code="]

  /// `text` with every secret replaced.
  static func redact(_ text: String) -> String {
    var result = text
    if result.contains("://") { result = PostgresURL.redacting(result) }
    guard result.contains("=") else { return result }
    let lower = result.lowercased()
    guard secretKeys.contains(where: { lower.contains($0) }) else { return result }
    return redactAssignments(result)
  }

  /// Replaces the value after each `key=` (up to `;`, `&`, whitespace, quote or end) with `REDACTED`.
  private static func redactAssignments(_ text: String) -> String {
    var out = ""
    var rest = Substring(text)
    while !rest.isEmpty {
      let lowerRest = rest.lowercased()
      var earliest: (String.Index, Int)? = nil
      for key in secretKeys {
        guard let range = lowerRest.range(of: key) else { continue }
        let offset = lowerRest.distance(from: lowerRest.startIndex, to: range.lowerBound)
        // Only at a boundary: start, or after a separator, so "xsig=" stays.
        if offset > 0 {
          let before = lowerRest[lowerRest.index(lowerRest.startIndex, offsetBy: offset - 1)]
          if before.isLetter || before.isNumber { continue }
        }
        if earliest == nil || offset < earliest!.1 {
          earliest = (rest.index(rest.startIndex, offsetBy: offset + key.count), offset)
        }
      }
      guard let (valueStart, _) = earliest else {
        out += rest
        break
      }
      out += rest[..<valueStart]
      let valueEnd = rest[valueStart...].firstIndex { ";& \t\n\"'".contains($0) } ?? rest.endIndex
      if valueEnd > valueStart { out += "REDACTED" }
      rest = rest[valueEnd...]
    }
    return out
  }
}
