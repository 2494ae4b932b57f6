package import FunctionsRPC
package import Logging
package import NIOCore
internal import Synchronization

/// One worker's end of the EventStream: sends messages and matches replies to the callers waiting for them.
///
/// The channel exists before its process starts (so the StartStream can be matched to it) and lives until
/// its worker exits. Everything waiting on it fails at once when it closes. What happens to its stream
/// (attached, ended) and to its invocations (deadlines) is reported to the worker's lifecycle driver as
/// ``WorkerLifecycle/Event``s; the channel itself decides nothing about the worker's life.
package final class WorkerChannel: Sendable {
  /// Load state of one function on this worker.
  package enum LoadState: Sendable, Hashable {
    case loading
    case loaded
    case failed(String)
  }

  struct State {
    var writer: (any WorkerMessageSink)? = nil
    var streamAttached = false
    var closeReason: String? = nil
    var invocations = InvocationTable<InvocationCompletion>()
    var idleWaiters: [Promise<Void>] = []
    var replies = ReplyTable()
    var capabilities: [String: String] = [:]
    var httpProxy: HTTPProxyTarget? = nil
    var loadStates: [String: LoadState] = [:]
    var pid: Int32? = nil
    var readyForInvocations = false
  }

  /// The worker id handed to the process; StartStream must carry it.
  package let workerID: String
  /// The slot number (0-based) of this worker in the pool.
  package let slot: Int
  /// Logger with `worker` metadata.
  package let logger: Logger
  /// Which worker log lines are shown (host.json `logging.logLevel`).
  package let logLevels: LogLevelPolicy
  /// Whether this worker is an OS process whose streams must come from it (or its process group); see
  /// ``WorkerPeerCheck``. False for workers that are not processes of their own (in-process test workers).
  package let bindsToLaunchedProcess: Bool
  /// How long a timed-out invocation may keep running after InvocationCancel.
  let cancelGrace: Duration
  let clock: TimerClock
  let events: AsyncStream<WorkerLifecycle.Event>.Continuation?
  let state = Mutex(State())
  let outstandingCount = Atomic<Int>(0)

  /// A channel; `events` receives what happens to its stream and invocations.
  package init(
    workerID: String, slot: Int, logger: Logger, logLevels: LogLevelPolicy = .init(),
    cancelGrace: Duration = .seconds(5), clock: TimerClock = .continuous,
    events: AsyncStream<WorkerLifecycle.Event>.Continuation? = nil, bindsToLaunchedProcess: Bool = false
  ) {
    self.workerID = workerID
    self.bindsToLaunchedProcess = bindsToLaunchedProcess
    self.slot = slot
    self.logLevels = logLevels
    self.cancelGrace = cancelGrace
    self.clock = clock
    self.events = events
    var logger = logger
    logger[metadataKey: "worker"] = "\(slot)"
    self.logger = logger
  }

  // MARK: - Queries

  /// Invocations sent and not yet answered.
  package var outstanding: Int { outstandingCount.load(ordering: .relaxed) }
  /// Capabilities the worker advertised in WorkerInitResponse.
  package var capabilities: [String: String] { state.withLock { $0.capabilities } }
  /// The worker's own HTTP server, when it advertised a usable `HttpUri` (HTTP proxying).
  package var httpProxy: HTTPProxyTarget? { state.withLock { $0.httpProxy } }
  /// Whether the worker's stream lives on `loop` (answers decoded there need no thread hop).
  package func streams(on loop: any EventLoop) -> Bool {
    guard let own = state.withLock({ $0.writer })?.eventLoop else { return false }
    return own === loop
  }
  /// Whether the worker advertised `name` with a non-empty value.
  package func has(capability name: String) -> Bool { !(state.withLock { $0.capabilities[name] } ?? "").isEmpty }
  /// The load state of a function on this worker.
  package func loadState(of functionID: String) -> LoadState? { state.withLock { $0.loadStates[functionID] } }
  /// Whether a stream is attached (or was, for a channel that closed since).
  package var hasStream: Bool { state.withLock { $0.streamAttached } }
  /// Whether the channel has closed, and why.
  package var closeReason: String? { state.withLock { $0.closeReason } }
  /// The worker's process id, once known.
  package var pid: Int32? { state.withLock { $0.pid } }
  /// Records the process id.
  package func setPID(_ pid: Int32) { state.withLock { $0.pid = pid } }
  /// Whether invocations may be routed here.
  package var isReady: Bool { state.withLock { $0.readyForInvocations && $0.closeReason == nil } }
  /// Routes invocations here from now on.
  package func markReady() { state.withLock { $0.readyForInvocations = true } }
  /// Stops routing new invocations here (draining or lost).
  package func stopRouting() { state.withLock { $0.readyForInvocations = false } }

  // MARK: - Stream

  /// Called by a transport when a StartStream with this worker id arrives.
  /// Returns false when a stream is already attached (or the channel closed).
  package func attach(writer: any WorkerMessageSink) -> Bool {
    let ok = state.withLock { s in
      guard !s.streamAttached, s.closeReason == nil else { return false }
      s.streamAttached = true
      s.writer = writer
      return true
    }
    if ok { events?.yield(.streamAttached) }
    return ok
  }

  /// Called by a transport when the worker's stream ended. The lifecycle driver decides, together with
  /// the process's exit, what the worker's callers are told.
  package func streamEnded(reason: String) {
    state.withLock { $0.writer = nil }
    events?.yield(.streamEnded(reason))
  }

  /// Asks the worker's lifecycle to drain and stop it (host shutdown, hot reload).
  package func requestShutdown() {
    stopRouting()
    events?.yield(.shutdownRequested)
  }

  /// Sends a message; throws when the stream is gone.
  package func send(_ message: StreamingMessage) async throws {
    let writer = state.withLock { $0.closeReason == nil ? $0.writer : nil }
    guard let writer else {
      throw FunctionsHostError(code: .workerExited, message: closeReason ?? "worker \(slot) has no stream")
    }
    try await writer.write(message)
  }

  // MARK: - Receiving

  /// Routes one inbound message. Called in order by the stream's reader loop.
  package func receive(_ message: StreamingMessage) {
    switch message.content {
    case .invocationResponse(let response):
      completeInvocation(response)
    case .rpcLog(let log):
      let (function, timedOut) =
        log.invocationID.isEmpty
        ? (nil, false) : state.withLock { ($0.invocations.functionName(of: log.invocationID), $0.invocations.hasTimedOut(log.invocationID)) }
      RpcLogForwarder(logger: logger, policy: logLevels).forward(log, function: function)
      if log.eventID == WorkerSignals.invocationStillRunning && timedOut {
        events?.yield(.invocationStuck(invocationID: log.invocationID))
      }
    case .workerInitResponse:
      resolve(.initialize, with: .success(message))
    case .functionMetadataResponse:
      resolve(.metadata, with: .success(message))
    case .functionLoadResponse(let response):
      resolve(.load(functionID: response.functionID), with: .success(message))
    case .functionLoadResponseCollection(let collection):
      for response in collection.functionLoadResponses {
        var single = StreamingMessage()
        single.functionLoadResponse = response
        resolve(.load(functionID: response.functionID), with: .success(single))
      }
    case .workerStatusResponse:
      resolve(.status(requestID: message.requestID), with: .success(message))
    case .startStream:
      logger.warning("worker sent a second StartStream on its stream; ignored")
    case .none:
      logger.debug("worker sent a message of a kind this host does not know; ignored")
    default:
      logger.debug("worker sent \(String(describing: message.content).prefix(60)); ignored")
    }
  }

  // MARK: - Closing

  /// Marks the channel closed: every caller waiting on it fails at once with `reason` (the first reason
  /// wins).
  package func close(reason: String) {
    let (invocations, replies, idle, reason) = state.withLock { s in
      if s.closeReason == nil { s.closeReason = reason }
      s.readyForInvocations = false
      s.writer = nil
      outstandingCount.store(0, ordering: .relaxed)
      defer { s.idleWaiters = [] }
      return (s.invocations.removeAll(), s.replies.removeAll(), s.idleWaiters, s.closeReason ?? reason)
    }
    for (id, entry) in invocations {
      entry.token.complete(.failure(FunctionsHostError(code: .workerExited, message: reason, invocationID: id)))
    }
    for p in replies { p.complete(.failure(FunctionsHostError(code: .workerExited, message: reason))) }
    for w in idle { w.complete(.success(())) }
  }
}
