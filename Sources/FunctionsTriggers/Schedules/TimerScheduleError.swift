/// A timer `schedule` that is neither a valid NCRONTAB expression nor a valid TimeSpan.
///
/// ```swift
/// do { _ = try TimerSchedule.parse("0 61 * * * *") }
/// catch let error as TimerScheduleError { print(error.message) }
/// // The schedule expression '0 61 * * * *' was not recognized as a valid cron expression or timespan
/// // string (as cron: minute value 61 is out of range 0-59)
/// ```
package struct TimerScheduleError: Error, Sendable, CustomStringConvertible {
  /// A stable, comparable error code.
  package struct Code: Hashable, Sendable, CustomStringConvertible {
    private enum Wrapped: String, Hashable, Sendable {
      case invalidCron, invalidTimeSpan, unrecognized
    }
    private let wrapped: Wrapped
    private init(_ wrapped: Wrapped) { self.wrapped = wrapped }

    /// Not a valid NCRONTAB expression (from ``NCrontabSchedule/parse(_:)``).
    package static let invalidCron = Code(.invalidCron)
    /// Not a valid TimeSpan, or not a positive one (from ``TimeSpanSchedule/parse(_:)``).
    package static let invalidTimeSpan = Code(.invalidTimeSpan)
    /// Neither (from ``TimerSchedule/parse(_:)``).
    package static let unrecognized = Code(.unrecognized)

    /// The code's name.
    package var description: String { wrapped.rawValue }
  }

  /// What kind of error this is.
  package var code: Code
  /// A message quoting the expression and saying what is wrong.
  package var message: String

  /// Creates an error.
  package init(code: Code, message: String) {
    self.code = code
    self.message = message
  }

  /// The message.
  package var description: String { message }
}
