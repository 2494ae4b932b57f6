/// A worker process started or ended, as the host tells observers (metrics, dashboards); see
/// ``FunctionsHost/Configuration/onWorkerEvent``.
public struct WorkerEvent: Sendable, Hashable {
  /// Why a worker process ended.
  public enum ExitCause: String, Sendable, Hashable, CaseIterable {
    /// The host asked it to stop (shutdown, hot reload, a replaced worker).
    case stopped
    /// It exited by itself.
    case crashed
    /// A signal killed it without the host asking.
    case killed
    /// It could not be started.
    case failedToStart = "failed_to_start"
  }

  /// What happened.
  public enum Kind: Sendable, Hashable {
    /// The process started; `restart` when its slot ran a process before.
    case started(pid: Int32, restart: Bool)
    /// The process ended, with a sentence saying how.
    case exited(cause: ExitCause, description: String)
  }

  /// The worker's slot.
  public var slot: Int
  /// What happened.
  public var kind: Kind

  /// Creates an event.
  public init(slot: Int, kind: Kind) {
    self.slot = slot
    self.kind = kind
  }
}
