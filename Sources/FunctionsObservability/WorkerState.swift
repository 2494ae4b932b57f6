/// One worker slot as the dashboard shows it: what it runs now and how its last process ended.
public struct WorkerState: Sendable, Codable, Hashable {
  /// The worker's slot.
  public var slot: Int
  /// The process id of the running process, if any.
  public var pid: Int32?
  /// `ready`, `starting` or `exited`.
  public var state: String
  /// Invocations sent to it and not yet answered.
  public var inFlight: Int
  /// How many times the slot's process was restarted.
  public var restarts: Int
  /// How the last process of this slot ended (`stopped`, `crashed`, `killed`, `failed_to_start`), if one did.
  public var lastExitCause: String?
  /// The sentence describing that exit.
  public var lastExit: String?
}
