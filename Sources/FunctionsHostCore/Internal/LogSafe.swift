#if canImport(Glibc)
  internal import Glibc
#elseif canImport(Darwin)
  internal import Darwin
#endif

/// Makes untrusted text safe to put in a log line.
///
/// Worker ids sent by any local process, function names and paths from the app's files, header values:
/// a newline, a carriage return or an ANSI escape in them could forge a log line (a fake `ERROR`) or
/// repaint a terminal. ``escape(_:)`` writes every control character as a visible escape.
///
/// ```swift
/// logger.warning("StartStream with an unknown worker id \(LogSafe.escape(id))")
/// ```
package enum LogSafe {
  /// `text` with control characters escaped: `\n`, `\r`, `\t`, `\\` and `\u{…}` for the rest
  /// (C0, DEL, C1, and the Unicode line/paragraph separators and bidi overrides). Printable text is kept.
  package static func escape(_ text: some StringProtocol) -> String {
    rewrite(text) { scalar in
      switch scalar {
      case "\n": "\\n"
      case "\r": "\\r"
      case "\t": "\\t"
      case "\\": "\\\\"
      default: nil
      }
    }
  }

  /// `text` escaped, cut to `limit` characters (with a note of the length cut).
  package static func escape(_ text: some StringProtocol, limit: Int) -> String {
    guard text.count > limit else { return escape(text) }
    return escape(text.prefix(limit)) + "…(\(text.count) characters)"
  }

  /// A log message that may span lines (a stack trace): control characters other than newline and tab
  /// are escaped as by ``escape(_:)``, and every line after the first is indented with
  /// ``continuationIndent``, so no line of it can pass for a log line of its own.
  package static func message(_ text: some StringProtocol) -> String {
    rewrite(text) { scalar in
      switch scalar {
      case "\n": "\n" + continuationIndent
      case "\t": "\t"
      case "\r": "\\r"
      default: nil
      }
    }
  }

  /// `text` with each scalar replaced by `special` when it gives a replacement, else escaped as
  /// `\u{…}` when it is a control character, else kept.
  private static func rewrite(_ text: some StringProtocol, _ special: (Unicode.Scalar) -> String?) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for scalar in text.unicodeScalars {
      if let replacement = special(scalar) {
        out += replacement
      } else if needsEscape(scalar) {
        out += "\\u{" + String(scalar.value, radix: 16) + "}"
      } else {
        out.unicodeScalars.append(scalar)
      }
    }
    return out
  }

  /// What starts every continuation line of a multi-line message.
  package static let continuationIndent = "    | "

  /// An `errno` as "Too many open files (errno 24)".
  package static func errnoDescription(_ code: Int32) -> String {
    "\(String(cString: strerror(code))) (errno \(code))"
  }

  private static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.value {
    case 0x00...0x1F, 0x7F...0x9F: return true
    case 0x2028, 0x2029: return true  // line and paragraph separators
    case 0x202A...0x202E, 0x2066...0x2069: return true  // bidi embedding/override/isolate
    default: return false
    }
  }
}
