/// The outcome of one scenario.
public struct ScenarioResult: Sendable, Codable, Hashable {
  /// Passed, failed or skipped.
  public enum Status: String, Sendable, Codable, Hashable {
    /// The worker behaved.
    case passed
    /// The worker did not behave; ``ScenarioResult/message`` says how.
    case failed
    /// The scenario does not apply to this worker; ``ScenarioResult/message`` says why.
    case skipped
  }

  /// The scenario's name.
  public var name: String
  /// What the scenario checks.
  public var summary: String
  /// The outcome.
  public var status: Status
  /// The failure, the skip reason, or a note.
  public var message: String
  /// Wall time in seconds (worker start included).
  public var seconds: Double

  /// Creates a result.
  public init(name: String, summary: String, status: Status, message: String, seconds: Double) {
    self.name = name
    self.summary = summary
    self.status = status
    self.message = message
    self.seconds = seconds
  }
}
