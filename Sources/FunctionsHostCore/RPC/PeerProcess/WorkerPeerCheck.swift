internal import Foundation
internal import Logging
internal import Synchronization

/// What the worker-port transports ask before attaching a stream to a worker launched as a process
/// (``WorkerChannel/bindsToLaunchedProcess``): does the connection come from that process or its group?
///
/// The check reads `/proc` on the event loop, once per StartStream that carries a valid worker id
/// before that worker has attached (a few small files; the whole process list only when the launched
/// process itself does not hold the socket). Channels of workers that are not OS processes (in-process
/// test workers) are not checked. Where the OS cannot tell, the stream is attached on its worker id
/// alone, as before, and that is logged once per host process at debug level.
package struct WorkerPeerCheck: Sendable {
  /// The verifier used.
  package var verifier: WorkerPeerVerifier

  /// A check with `verifier` (the real `/proc` by default).
  package init(verifier: WorkerPeerVerifier = WorkerPeerVerifier()) {
    self.verifier = verifier
  }

  private static let unavailableLogged = Atomic<Bool>(false)

  /// Nil when `peer` may attach to `channel`; else why not (for the refusal and the intrusion log).
  func refusal(of peer: WorkerPeer, for channel: WorkerChannel, logger: Logger) -> String? {
    // A worker with a stream refuses every other one anyway (as an intrusion): no need to read /proc.
    guard channel.bindsToLaunchedProcess, !channel.hasStream else { return nil }
    // Before the launcher reported the pid (a busy machine), the peer must at least be in a worker
    // group this host launched.
    let verdict = channel.pid.map { verifier.verify(peer, launchedPID: $0) }
      ?? verifier.verifyLaunchedByHost(peer, hostPID: getpid())
    switch verdict {
    case .launchedProcess:
      return nil
    case .stranger(let reason):
      return reason
    case .unavailable(let reason):
      if !Self.unavailableLogged.exchange(true, ordering: .relaxed) {
        logger.debug(
          "the worker port cannot check which process a connection comes from (\(LogSafe.escape(reason, limit: 200))); streams are matched by worker id alone")
      }
      return nil
    }
  }
}
