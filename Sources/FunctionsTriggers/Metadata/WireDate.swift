package import Foundation

/// Formats dates the way the host sends them to workers: ISO 8601 in UTC with a `+00:00` offset.
///
/// The form is `yyyy-MM-ddTHH:mm:ss+00:00`, with `.ffffff` (exactly six digits, microseconds) when
/// the date has a fractional second. Both forms are in the list that the Python library's
/// `_parse_datetime` accepts (`%Y-%m-%dT%H:%M:%S+00:00` and `%Y-%m-%dT%H:%M:%S.%f+00:00`); six
/// digits is the most `%f` takes, so the seven-digit .NET form is never produced.
///
/// `Date.distantFuture` and later (the store's "never expires") and dates past
/// 9999-12-31T23:59:59.999999 are written as that instant: .NET's `DateTimeOffset.MaxValue` cut to six digits.
/// Dates before year 1 are written as `0001-01-01T00:00:00+00:00`.
///
/// ```swift
/// WireDate.string(from: Date(timeIntervalSince1970: 1_571_248_711))  // "2019-10-16T17:58:31+00:00"
/// ```
package enum WireDate {
  /// Microseconds since 1970 of 0001-01-01T00:00:00Z.
  private static let minMicros: Int64 = CivilTime.days(year: 1, month: 1, day: 1) * 86_400_000_000
  /// Microseconds since 1970 of 9999-12-31T23:59:59.999999Z.
  private static let maxMicros: Int64 =
    (CivilTime.days(year: 10_000, month: 1, day: 1) * 86_400_000_000) - 1

  /// The wire form of `date` (see the type's documentation).
  package static func string(from date: Date) -> String {
    let seconds = date.timeIntervalSince1970
    var micros: Int64
    if !seconds.isFinite || date >= .distantFuture || seconds >= 253_402_300_800 {  // 10000-01-01
      micros = maxMicros
    } else if seconds <= -62_135_596_800 {  // 0001-01-01
      micros = minMicros
    } else {
      micros = Int64((seconds * 1_000_000).rounded())
    }
    micros = min(max(micros, minMicros), maxMicros)
    var whole = micros / 1_000_000
    var fraction = micros % 1_000_000
    if fraction < 0 {
      whole -= 1
      fraction += 1_000_000
    }
    let t = CivilTime(secondsSince1970: whole)
    var out = pad(t.year, 4) + "-" + pad(t.month, 2) + "-" + pad(t.day, 2)
    out += "T" + pad(t.hour, 2) + ":" + pad(t.minute, 2) + ":" + pad(t.second, 2)
    if fraction != 0 { out += "." + pad(Int(fraction), 6) }
    return out + "+00:00"
  }

  /// Parses the wire form back (`yyyy-MM-ddTHH:mm:ss[.f…]` followed by `+00:00` or `Z`); `nil` for
  /// anything else.
  package static func date(from text: String) -> Date? {
    var s = Substring(text)
    if s.hasSuffix("+00:00") {
      s = s.dropLast(6)
    } else if s.hasSuffix("Z") {
      s = s.dropLast()
    } else {
      return nil
    }
    let c = Array(s.utf8)
    guard c.count >= 19, c[4] == UInt8(ascii: "-"), c[7] == UInt8(ascii: "-"), c[10] == UInt8(ascii: "T"),
      c[13] == UInt8(ascii: ":"), c[16] == UInt8(ascii: ":")
    else { return nil }
    func number(_ r: Range<Int>) -> Int? {
      var v = 0
      for i in r {
        guard c[i] >= 0x30, c[i] <= 0x39 else { return nil }
        v = v * 10 + Int(c[i] - 0x30)
      }
      return v
    }
    guard let y = number(0..<4), let mo = number(5..<7), let d = number(8..<10), let h = number(11..<13),
      let mi = number(14..<16), let se = number(17..<19), (1...12).contains(mo),
      (1...CivilTime.daysInMonth(year: y, month: mo)).contains(d), h < 24, mi < 60, se < 60
    else { return nil }
    var fraction = 0.0
    if c.count > 19 {
      guard c[19] == UInt8(ascii: "."), c.count > 20, c.count <= 27, let f = number(20..<c.count) else { return nil }
      fraction = Double(f) / pow(10, Double(c.count - 20))
    }
    let t = CivilTime(year: y, month: mo, day: d, hour: h, minute: mi, second: se)
    return Date(timeIntervalSince1970: Double(t.secondsSince1970) + fraction)
  }

  /// `value` in decimal, left-padded with zeros to `width` digits.
  static func pad(_ value: Int, _ width: Int) -> String {
    let digits = String(value)
    return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
  }
}
