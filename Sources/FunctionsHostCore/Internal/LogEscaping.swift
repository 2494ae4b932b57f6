/// Untrusted text made safe for one log line: control characters (newlines, ANSI escape sequences,
/// NUL, DEL, C1 controls) become `\u{XX}`, backslashes are doubled, and the result is cut to `limit`
/// characters (marked with `…`). A peer cannot forge a log line or recolour a terminal through it.
package enum LogEscaping {
  /// `text` escaped for a log line and cut to `limit` characters.
  package static func escape(_ text: some StringProtocol, limit: Int = 128) -> String {
    var out = ""
    var count = 0
    for scalar in text.unicodeScalars {
      if count >= limit {
        out += "…"
        break
      }
      count += 1
      switch scalar.value {
      case 0x5C: out += "\\\\"
      case 0..<0x20, 0x7F..<0xA0, 0x2028, 0x2029:
        out += "\\u{\(String(scalar.value, radix: 16))}"
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out
  }
}
