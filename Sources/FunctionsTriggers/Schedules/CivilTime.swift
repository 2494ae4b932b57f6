/// A proleptic-Gregorian calendar date and time of day, without a zone: the arithmetic that the
/// wire-date formatter and the cron search share.
///
/// Conversions use whole days since 1970-01-01 (the "days from civil" method), so they are exact for
/// every year from 1 to 9999 and need no `Calendar` or `DateFormatter`.
package struct CivilTime: Hashable, Sendable, Comparable {
  /// The year (1…9999 for dates the host writes).
  package var year: Int
  /// The month, 1…12.
  package var month: Int
  /// The day of the month, 1…31.
  package var day: Int
  /// The hour, 0…23.
  package var hour: Int
  /// The minute, 0…59.
  package var minute: Int
  /// The second, 0…59.
  package var second: Int

  /// Creates a civil time; the fields are not validated.
  package init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0) {
    self.year = year
    self.month = month
    self.day = day
    self.hour = hour
    self.minute = minute
    self.second = second
  }

  /// The civil time `seconds` seconds after 1970-01-01T00:00:00 (negative: before).
  package init(secondsSince1970 seconds: Int64) {
    let days = Int64.floorDiv(seconds, 86_400)
    let rest = Int(seconds - days * 86_400)
    let (y, m, d) = CivilTime.civil(fromDays: days)
    self.init(year: y, month: m, day: d, hour: rest / 3600, minute: rest % 3600 / 60, second: rest % 60)
  }

  /// Seconds since 1970-01-01T00:00:00 for this civil time read as UTC.
  package var secondsSince1970: Int64 {
    CivilTime.days(year: year, month: month, day: day) * 86_400
      + Int64(hour * 3600 + minute * 60 + second)
  }

  /// Whole days since 1970-01-01 of a civil date (negative before it).
  package static func days(year: Int, month: Int, day: Int) -> Int64 {
    let y = Int64(month <= 2 ? year - 1 : year)
    let era = Int64.floorDiv(y, 400)
    let yoe = y - era * 400
    let m = Int64(month)
    let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146_097 + doe - 719_468
  }

  /// The civil date of a day number (days since 1970-01-01).
  package static func civil(fromDays days: Int64) -> (year: Int, month: Int, day: Int) {
    let z = days + 719_468
    let era = Int64.floorDiv(z, 146_097)
    let doe = z - era * 146_097
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let d = doy - (153 * mp + 2) / 5 + 1
    let m = mp < 10 ? mp + 3 : mp - 9
    let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
    return (Int(y), Int(m), Int(d))
  }

  /// Whether `year` is a Gregorian leap year.
  package static func isLeapYear(_ year: Int) -> Bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
  }

  /// The number of days in a month of a year.
  package static func daysInMonth(year: Int, month: Int) -> Int {
    switch month {
    case 2: isLeapYear(year) ? 29 : 28
    case 4, 6, 9, 11: 30
    default: 31
    }
  }

  /// The day of the week of a civil date, 0 = Sunday … 6 = Saturday.
  package static func weekday(year: Int, month: Int, day: Int) -> Int {
    // 1970-01-01 was a Thursday (4).
    Int((days(year: year, month: month, day: day) % 7 + 11) % 7)
  }

  /// Orders by year, month, day, hour, minute, second.
  package static func < (lhs: CivilTime, rhs: CivilTime) -> Bool {
    (lhs.year, lhs.month, lhs.day, lhs.hour, lhs.minute, lhs.second)
      < (rhs.year, rhs.month, rhs.day, rhs.hour, rhs.minute, rhs.second)
  }
}

extension Int64 {
  /// Division rounding toward negative infinity.
  fileprivate static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
  }
}
