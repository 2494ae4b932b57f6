package import Foundation

/// A subset of .NET custom date and time format strings, applied to UTC times, for
/// `{DateTime:format}` and `{sys.UtcNow:format}`.
///
/// Supported specifiers: `yyyy` (4-digit year), `yy` (2-digit year), `M`/`MM` (month), `d`/`dd`
/// (day), `H`/`HH` (24-hour hour), `m`/`mm` (minute), `s`/`ss` (second), `f` … `fffffff` (fraction
/// digits, truncated; digits past the sixth are `0`). Text in `'…'` or `"…"` is literal, `\c` makes `c`
/// literal, and `%` before a single specifier is ignored. Every other character that is not a .NET
/// specifier letter is literal (`-`, `:`, `/`, `T`, `Z`, `_`, …; `:` and `/` are the invariant
/// culture's separators). The remaining .NET specifiers (`ddd`, `MMM`, `h`, `t`, `z`, `K`, `F`, `g`, …)
/// are rejected with ``BindingExpressionError/Code/invalidTemplate`` rather than rendered wrongly.
///
/// With no format, `{DateTime}` uses `yyyy-MM-ddTHH-mm-ssZ` (stock; e.g. `2018-02-16T17-59-55Z`).
package enum DotNetDateFormat {
  /// `date` in UTC rendered with `format`.
  package static func format(
    _ date: Date, _ format: String, expression: BindingExpression, template: BindingTemplate
  ) throws(BindingExpressionError) -> String {
    do {
      return try render(date, format)
    } catch {
      throw template.site.error(
        .invalidTemplate,
        "unsupported date format '\(format)' in '{\(expression.text)}' in \(template.site.property) "
          + "'\(template.source)': \(error.reason)")
    }
  }

  /// Why a format was rejected.
  package struct Unsupported: Error, Sendable {
    /// The reason, e.g. `'MMM' is not supported`.
    package var reason: String
  }

  /// `date` in UTC rendered with `format`, or ``Unsupported``.
  package static func render(_ date: Date, _ format: String) throws(Unsupported) -> String {
    let micros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded(.down))
    var seconds = micros / 1_000_000
    var fraction = micros % 1_000_000
    if fraction < 0 {
      seconds -= 1
      fraction += 1_000_000
    }
    let t = CivilTime(secondsSince1970: seconds)
    let fraction7 = WireDate.pad(Int(fraction), 6) + "0"
    let chars = Array(format)
    var out = ""
    var i = 0
    while i < chars.count {
      let c = chars[i]
      var n = 1
      while i + n < chars.count, chars[i + n] == c { n += 1 }
      switch c {
      case "y":
        guard n == 2 || n == 4 else { throw Unsupported(reason: "'\(String(repeating: "y", count: n))' is not supported") }
        out += n == 4 ? WireDate.pad(t.year, 4) : WireDate.pad(t.year % 100, 2)
      case "M": out += try number(t.month, n, "M")
      case "d": out += try number(t.day, n, "d")
      case "H": out += try number(t.hour, n, "H")
      case "m": out += try number(t.minute, n, "m")
      case "s": out += try number(t.second, n, "s")
      case "f":
        guard n <= 7 else { throw Unsupported(reason: "more than seven 'f'") }
        out += fraction7.prefix(n)
      case "'", "\"":
        guard let close = chars[(i + 1)...].firstIndex(of: c) else {
          throw Unsupported(reason: "unterminated quoted text")
        }
        out += String(chars[(i + 1)..<close])
        i = close + 1
        continue
      case "\\":
        guard i + 1 < chars.count else { throw Unsupported(reason: "'\\' at the end") }
        out.append(chars[i + 1])
        i += 2
        continue
      case "%":
        i += 1
        continue
      case "h", "t", "z", "K", "F", "g":
        throw Unsupported(reason: "'\(c)' is not supported")
      default:
        out += String(repeating: c, count: n)
      }
      i += n
    }
    return out
  }

  /// A 1- or 2-digit field.
  private static func number(_ value: Int, _ n: Int, _ letter: String) throws(Unsupported) -> String {
    guard n <= 2 else { throw Unsupported(reason: "'\(String(repeating: letter, count: n))' is not supported") }
    return n == 2 ? WireDate.pad(value, 2) : String(value)
  }
}
