package import Foundation

/// A timer trigger's `schedule`: an NCRONTAB expression or a constant TimeSpan interval.
///
/// ```swift
/// let schedule = try TimerSchedule.parse("0 */5 * * * *")
/// schedule.description                                       // "Cron: '0 */5 * * * *'"
/// schedule.next(after: now, in: TimeZone(identifier: "UTC")!)  // the next multiple of 5 minutes
/// ```
package enum TimerSchedule: Sendable, Hashable, CustomStringConvertible {
  /// An NCRONTAB expression.
  case cron(NCrontabSchedule)
  /// A constant interval.
  case interval(TimeSpanSchedule)

  /// Parses a schedule (with `%AppSetting%` references already resolved): as NCRONTAB first, then as
  /// a TimeSpan, as the stock `TimerSchedule.Create` does.
  ///
  /// - Throws: ``TimerScheduleError`` `.unrecognized`, with the stock message ("The schedule
  ///   expression '…' was not recognized as a valid cron expression or timespan string") followed by
  ///   why the likelier reading failed.
  package static func parse(_ text: String) throws(TimerScheduleError) -> TimerSchedule {
    let cronError: TimerScheduleError
    do { return .cron(try NCrontabSchedule.parse(text)) } catch { cronError = error }
    let spanError: TimerScheduleError
    do { return .interval(try TimeSpanSchedule.parse(text)) } catch { spanError = error }
    let looksLikeCron = text.split(whereSeparator: \.isWhitespace).count > 1
    throw TimerScheduleError(
      code: .unrecognized,
      message: "The schedule expression '\(text)' was not recognized as a valid cron expression or timespan "
        + "string (\(looksLikeCron ? "as cron: " + cronError.message : "as a TimeSpan: " + spanError.message))")
  }

  /// The next occurrence strictly after `date`: for cron, on the wall clock of `timeZone` (see
  /// ``NCrontabSchedule/next(after:in:)``); for an interval, `date + interval`.
  package func next(after date: Date, in timeZone: TimeZone) -> Date? {
    switch self {
    case .cron(let c): c.next(after: date, in: timeZone)
    case .interval(let i): i.next(after: date)
    }
  }

  /// The stock rule that turns `useMonitor` off: a cron schedule with more than one occurrence in the
  /// minute after `date` (exclusive), or an interval shorter than a minute.
  package func firesMoreOftenThanOncePerMinute(after date: Date, in timeZone: TimeZone = TimeZone(identifier: "UTC")!) -> Bool {
    switch self {
    case .interval(let i):
      return i.interval < 60
    case .cron(let c):
      guard let first = c.next(after: date, in: timeZone), let second = c.next(after: first, in: timeZone) else {
        return false
      }
      return second < date.addingTimeInterval(60)
    }
  }

  /// For banners, as stock: `Cron: '0 */5 * * * *'` or `Constant: 01:00:00`.
  package var description: String {
    switch self {
    case .cron(let c): "Cron: '\(c.expression)'"
    case .interval(let i): "Constant: \(i.description)"
    }
  }
}
