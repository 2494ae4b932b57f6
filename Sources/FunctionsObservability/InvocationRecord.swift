/// One finished invocation as the dashboard lists it, with the log lines it wrote.
public struct InvocationRecord: Sendable, Codable, Hashable {
  /// One log line of an invocation.
  public struct LogLine: Sendable, Codable, Hashable {
    /// Seconds since 1970.
    public var time: Double
    /// `info`, `error`, …
    public var level: String
    /// The text.
    public var message: String
  }

  /// The invocation id (empty when the host refused it before giving one).
  public var id: String
  /// The function.
  public var function: String
  /// The trigger type, e.g. `httpTrigger`.
  public var trigger: String
  /// How it ended.
  public var outcome: InvocationOutcome
  /// When it started, seconds since 1970.
  public var started: Double
  /// How long it took, in milliseconds.
  public var durationMs: Double
  /// The error, when it did not succeed.
  public var error: String?
  /// Its log lines (the last ones, when there were many).
  public var logs: [LogLine]
}
