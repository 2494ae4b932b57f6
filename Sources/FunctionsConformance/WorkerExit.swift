/// How the worker under test ended.
public struct WorkerExit: Sendable, Hashable, CustomStringConvertible {
  /// For example `exited with code 1`, `killed by signal 9`, `returned`.
  public var description: String
  /// Whether the kit stopped it (end of a scenario) rather than the worker ending on its own.
  public var stoppedByKit: Bool
}
