/// Thrown by a scenario step when the worker did not behave: the scenario fails with `message`.
public struct ScenarioFailure: Error, CustomStringConvertible {
  /// What the worker did wrong, for people.
  public var message: String
  /// Creates a failure.
  public init(_ message: String) { self.message = message }
  /// The message.
  public var description: String { message }
}

/// Thrown by a scenario that does not apply to this worker (capability not advertised, data kind
/// rejected): the scenario is reported as skipped with `reason`.
public struct ScenarioSkip: Error, CustomStringConvertible {
  /// Why the scenario does not apply.
  public var reason: String
  /// Creates a skip.
  public init(_ reason: String) { self.reason = reason }
  /// The reason.
  public var description: String { reason }
}

/// Fails the scenario with `message` unless `condition` holds.
func require(_ condition: Bool, _ message: @autoclosure () -> String) throws {
  if !condition { throw ScenarioFailure(message()) }
}
