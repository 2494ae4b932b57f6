internal import Foundation

/// RFC 1123 dates (`Fri, 09 Oct 2009 21:04:30 GMT`), as Azure Storage writes them in headers and
/// XML bodies, formatted and parsed without `DateFormatter` (no locale, no shared mutable state).
enum HTTPDate {
  private static let days = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]
  private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

  /// `date` in RFC 1123 form, whole seconds, GMT.
  static func format(_ date: Date) -> String {
    let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
    var day = seconds / 86_400
    var secondOfDay = seconds % 86_400
    if secondOfDay < 0 {
      secondOfDay += 86_400
      day -= 1
    }
    let (year, month, dayOfMonth) = civil(fromDays: day)
    let weekday = days[Int(((day % 7) + 7) % 7)]
    return "\(weekday), \(pad(dayOfMonth)) \(months[month - 1]) \(year) "
      + "\(pad(Int(secondOfDay / 3600))):\(pad(Int(secondOfDay / 60 % 60))):\(pad(Int(secondOfDay % 60))) GMT"
  }

  /// Parses an RFC 1123 date (`Fri, 09 Oct 2009 21:04:30 GMT`); `nil` when malformed.
  static func parse(_ text: some StringProtocol) -> Date? {
    // Drop the weekday; accept both "Fri, 09 Oct…" and "09 Oct…".
    var rest = Substring(text).trimmingCharacters(in: .whitespaces)[...]
    if let comma = rest.firstIndex(of: ",") { rest = rest[rest.index(after: comma)...] }
    let parts = rest.split(separator: " ", omittingEmptySubsequences: true)
    guard parts.count == 5, parts[4] == "GMT" || parts[4] == "UTC",
      let day = Int(parts[0]), (1...31).contains(day),
      let monthIndex = months.firstIndex(of: String(parts[1])),
      let year = Int(parts[2]), (1...9999).contains(year)
    else { return nil }
    let clock = parts[3].split(separator: ":")
    guard clock.count == 3, let h = Int(clock[0]), let m = Int(clock[1]), let s = Int(clock[2]),
      (0...23).contains(h), (0...59).contains(m), (0...60).contains(s)
    else { return nil }
    let days = daysFromCivil(year: year, month: monthIndex + 1, day: day)
    return Date(timeIntervalSince1970: TimeInterval(days * 86_400 + Int64(h * 3600 + m * 60 + s)))
  }

  private static func pad(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

  /// Days since 1970-01-01 → (year, month 1…12, day 1…31) (Howard Hinnant's algorithm).
  private static func civil(fromDays days: Int64) -> (Int, Int, Int) {
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let doe = z - era * 146_097
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let d = doy - (153 * mp + 2) / 5 + 1
    let m = mp < 10 ? mp + 3 : mp - 9
    return (Int(yoe + era * 400 + (m <= 2 ? 1 : 0)), Int(m), Int(d))
  }

  private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int64 {
    let y = Int64(month <= 2 ? year - 1 : year)
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let mp = Int64(month > 2 ? month - 3 : month + 9)
    let doy = (153 * mp + 2) / 5 + Int64(day) - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146_097 + doe - 719_468
  }
}
