/// An NCRONTAB expression, as the Azure Functions timer trigger reads it.
///
/// Six fields `{second} {minute} {hour} {day} {month} {day-of-week}`, or exactly five fields without
/// the seconds (then second = 0), separated by whitespace. Each field is a ``CronField``: `*`, `a`,
/// `a-b`, `a,b,c`, `*/n`, `a/n`, `a-b/n`; month and day names in English (case-insensitive).
/// Day of week runs 0–6 with 0 = Sunday; **7 is rejected**, as NCrontab rejects it (its
/// day-of-week range is 0–6), even though Vixie cron takes 7 as Sunday.
///
/// **Day of month and day of week must both match** (NCrontab checks them one after the other),
/// unlike Vixie cron, which fires when either matches when both are restricted. So `0 0 0 13 * Fri`
/// fires only on Friday the 13th.
///
/// Occurrences are computed on the wall clock of a time zone; see ``next(after:in:)`` for what
/// happens at daylight-saving transitions.
///
/// ```swift
/// let schedule = try NCrontabSchedule.parse("0 30 9 * * 1-5")
/// schedule.next(after: now, in: TimeZone(identifier: "Europe/Paris")!)  // the next weekday 09:30 in Paris
/// ```
package struct NCrontabSchedule: Sendable, Hashable, CustomStringConvertible {
  /// The expression as written (trimmed).
  package let expression: String
  /// Whether the expression has a seconds field.
  package let hasSeconds: Bool
  /// Seconds, minutes, hours, days of month, months, days of week.
  package let second: CronField, minute: CronField, hour: CronField, day: CronField, month: CronField,
    dayOfWeek: CronField

  /// Whether this is an "interval" schedule in the stock sense: its seconds, minutes or hours field
  /// (minutes or hours without seconds) contains `*`, `/` or `-`. Interval schedules run through
  /// both copies of a repeated (fall-back) hour; the others run once, in the first copy.
  package var isInterval: Bool {
    let timeFields = hasSeconds ? [second, minute, hour] : [minute, hour]
    return timeFields.contains { $0.text.contains("*") || $0.text.contains("/") || $0.text.contains("-") }
  }

  /// Parses an expression.
  package static func parse(_ text: String) throws(TimerScheduleError) -> NCrontabSchedule {
    let fields = text.split(whereSeparator: \.isWhitespace).map(String.init)
    guard fields.count == 5 || fields.count == 6 else {
      throw TimerScheduleError(
        code: .invalidCron,
        message: "'\(text)' has \(fields.count) field\(fields.count == 1 ? "" : "s"); an NCRONTAB expression has six "
          + "({second} {minute} {hour} {day} {month} {day-of-week}) or five (without seconds)")
    }
    let all = fields.count == 6 ? fields : ["0"] + fields
    var parsed: [CronField] = []
    for (i, kind) in CronField.Kind.allCases.enumerated() {
      parsed.append(try CronField.parse(all[i], kind: kind))
    }
    return NCrontabSchedule(
      expression: fields.joined(separator: " "), hasSeconds: fields.count == 6, second: parsed[0],
      minute: parsed[1], hour: parsed[2], day: parsed[3], month: parsed[4], dayOfWeek: parsed[5])
  }

  /// The expression as written.
  package var description: String { expression }
}
