public import FunctionsRPC
internal import Foundation
package import GRPCCore
package import Logging
internal import SwiftProtobuf
internal import Synchronization

/// One worker's end of the EventStream: sends messages and matches replies to the callers waiting for them.
///
/// The channel exists before its process starts (so the StartStream can be matched to it) and lives until
/// its stream ends. Everything waiting on it fails at once when it closes.
package final class WorkerChannel: Sendable {
  /// Load state of one function on this worker.
  package enum LoadState: Sendable, Equatable {
    case loading
    case loaded
    case failed(String)
  }

  /// What a control reply is matched by.
  private enum ReplyKey: Hashable {
    case initialize
    case metadata
    case load(functionID: String)
    case status(requestID: String)
    case environmentReload
  }

  private struct PendingInvocation {
    var functionName: String
    var promise: Promise<AzureFunctionsRpcMessages_InvocationResponse>
    /// When the invocation's functionTimeout expires.
    var deadline: ContinuousClock.Instant?
    /// Set once the deadline passed: the caller got a timeout; the worker still owes an answer.
    var timedOutAt: ContinuousClock.Instant? = nil
  }

  /// What ``expireInvocations(now:grace:)`` found.
  package struct Expiry: Sendable {
    /// Invocations that just passed their deadline (the callers were failed with `timeout`).
    package var expired: [String] = []
    /// A timed-out invocation the worker did not stop within the grace period, if any.
    package var unresponsive: String? = nil
  }

  private struct State {
    var writer: (any WorkerMessageSink)? = nil
    var streamWaiter: CheckedContinuation<Void, any Error>? = nil
    var streamAttached = false
    var closeReason: String? = nil
    var pending: [String: PendingInvocation] = [:]
    var replies: [ReplyKey: Promise<StreamingMessage>] = [:]
    var closedWaiters: [CheckedContinuation<Void, Never>] = []
    var capabilities: [String: String] = [:]
    var loadStates: [String: LoadState] = [:]
    var pid: Int32? = nil
    var readyForInvocations = false
    var shutdownRequested = false
  }

  /// The worker id handed to the process; StartStream must carry it.
  package let workerID: String
  /// The slot number (0-based) of this worker in the pool.
  package let slot: Int
  /// Logger with `worker` metadata.
  package let logger: Logger
  /// Which worker log lines are shown (host.json `logging.logLevel`).
  package let logLevels: LogLevelPolicy
  private let state = Mutex(State())
  private let outstandingCount = Atomic<Int>(0)

  package init(workerID: String, slot: Int, logger: Logger, logLevels: LogLevelPolicy = .init()) {
    self.workerID = workerID
    self.slot = slot
    self.logLevels = logLevels
    var logger = logger
    logger[metadataKey: "worker"] = "\(slot)"
    self.logger = logger
  }

  // MARK: - Queries

  /// Invocations sent and not yet answered.
  package var outstanding: Int { outstandingCount.load(ordering: .relaxed) }
  /// Capabilities the worker advertised in WorkerInitResponse.
  package var capabilities: [String: String] { state.withLock { $0.capabilities } }
  /// Whether the worker advertised `name` with a non-empty value.
  package func has(capability name: String) -> Bool { !(state.withLock { $0.capabilities[name] } ?? "").isEmpty }
  /// The load state of a function on this worker.
  package func loadState(of functionID: String) -> LoadState? { state.withLock { $0.loadStates[functionID] } }
  /// Whether the channel has closed, and why.
  package var closeReason: String? { state.withLock { $0.closeReason } }
  /// The worker's process id, once known.
  package var pid: Int32? {
    get { state.withLock { $0.pid } }
  }
  package func setPID(_ pid: Int32) { state.withLock { $0.pid = pid } }
  /// Whether invocations may be routed here.
  package var isReady: Bool { state.withLock { $0.readyForInvocations && $0.closeReason == nil } }
  package func markReady() { state.withLock { $0.readyForInvocations = true } }

  // MARK: - Stream attach

  /// Called by the RPC service when a StartStream with this worker id arrives.
  /// Returns false when a stream is already attached (or the channel closed).
  package func attach(writer: any WorkerMessageSink) -> Bool {
    let waiter: CheckedContinuation<Void, any Error>?
    let ok: Bool
    (ok, waiter) = state.withLock { s in
      guard !s.streamAttached, s.closeReason == nil else { return (false, nil) }
      s.streamAttached = true
      s.writer = writer
      let w = s.streamWaiter
      s.streamWaiter = nil
      return (true, w)
    }
    waiter?.resume()
    return ok
  }

  /// Waits until the worker's StartStream arrived.
  package func waitForStream() async throws {
    try await withTaskCancellationHandler {
      try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
        let result: Result<Void, any Error>? = state.withLock { s in
          if let reason = s.closeReason { return .failure(FunctionsHostError(code: .workerExited, message: reason)) }
          if s.streamAttached { return .success(()) }
          s.streamWaiter = c
          return nil
        }
        if let result { c.resume(with: result) }
      }
    } onCancel: {
      let w = state.withLock { s -> CheckedContinuation<Void, any Error>? in
        defer { s.streamWaiter = nil }
        return s.streamWaiter
      }
      w?.resume(throwing: CancellationError())
    }
  }

  // MARK: - Sending

  /// Sends a message; throws when the stream is gone.
  package func send(_ message: StreamingMessage) async throws {
    let writer = state.withLock { $0.closeReason == nil ? $0.writer : nil }
    guard let writer else {
      throw FunctionsHostError(code: .workerExited, message: closeReason ?? "worker \(slot) has no stream")
    }
    try await writer.write(message)
  }

  /// Sends a request and waits for the reply of the given kind.
  private func request(_ message: StreamingMessage, key: ReplyKey) async throws -> StreamingMessage {
    let promise = Promise<StreamingMessage>()
    let error: (any Error)? = state.withLock { s in
      if let reason = s.closeReason { return FunctionsHostError(code: .workerExited, message: reason) }
      if s.replies[key] != nil {
        return FunctionsHostError(code: .internalError, message: "duplicate request \(key) to worker \(slot)")
      }
      s.replies[key] = promise
      return nil
    }
    if let error { throw error }
    defer { state.withLock { s in if s.replies[key] === promise { s.replies[key] = nil } } }
    try await send(message)
    return try await promise.value()
  }

  private func resolve(_ key: ReplyKey, with result: Result<StreamingMessage, any Error>) {
    let p = state.withLock { $0.replies.removeValue(forKey: key) }
    p?.complete(result)
  }

  /// WorkerInitRequest → WorkerInitResponse; records the capabilities.
  package func initialize(
    hostVersion: String, workerDirectory: String, appDirectory: String, capabilities: [String: String]
  ) async throws -> AzureFunctionsRpcMessages_WorkerInitResponse {
    var message = StreamingMessage()
    var request = AzureFunctionsRpcMessages_WorkerInitRequest()
    request.hostVersion = hostVersion
    request.workerDirectory = workerDirectory
    request.functionAppDirectory = appDirectory
    request.capabilities = capabilities
    for (category, level) in logLevels.workerCategories {
      request.logCategories[category] = AzureFunctionsRpcMessages_RpcLog.Level(rawValue: level) ?? .information
    }
    message.workerInitRequest = request
    let reply = try await self.request(message, key: .initialize)
    let response = reply.workerInitResponse
    if response.result.status == .success {
      state.withLock { $0.capabilities.merge(response.capabilities) { $1 } }
    }
    return response
  }

  /// FunctionsMetadataRequest → FunctionMetadataResponse.
  package func functionsMetadata(appDirectory: String) async throws -> AzureFunctionsRpcMessages_FunctionMetadataResponse {
    var message = StreamingMessage()
    var request = AzureFunctionsRpcMessages_FunctionsMetadataRequest()
    request.functionAppDirectory = appDirectory
    message.functionsMetadataRequest = request
    return try await self.request(message, key: .metadata).functionMetadataResponse
  }

  /// FunctionLoadRequest → FunctionLoadResponse; records the load state.
  package func load(_ function: FunctionMetadata) async throws -> AzureFunctionsRpcMessages_FunctionLoadResponse {
    state.withLock { $0.loadStates[function.functionID] = .loading }
    var message = StreamingMessage()
    message.functionLoadRequest = function.loadRequest()
    let response = try await self.request(message, key: .load(functionID: function.functionID)).functionLoadResponse
    let newState: LoadState =
      response.result.status == .success ? .loaded : .failed(response.result.exception.message.isEmpty
        ? response.result.result : response.result.exception.message)
    state.withLock { $0.loadStates[function.functionID] = newState }
    return response
  }

  /// Sends WorkerTerminate (only meaningful when the worker advertises HandlesWorkerTerminateMessage).
  package func sendTerminate(grace: Duration) async {
    var message = StreamingMessage()
    var body = AzureFunctionsRpcMessages_WorkerTerminate()
    var d = SwiftProtobuf.Google_Protobuf_Duration()
    d.seconds = grace.components.seconds
    body.gracePeriod = d
    message.workerTerminate = body
    try? await send(message)
  }

  /// WorkerStatusRequest → WorkerStatusResponse (a liveness and latency probe).
  package func status() async throws {
    var message = StreamingMessage()
    let id = UUID().uuidString.lowercased()
    message.requestID = id
    message.workerStatusRequest = AzureFunctionsRpcMessages_WorkerStatusRequest()
    _ = try await self.request(message, key: .status(requestID: id))
  }

  /// Sends an invocation and waits for its response.
  package func invoke(
    _ request: AzureFunctionsRpcMessages_InvocationRequest, functionName: String,
    timeout: Duration? = nil
  ) async throws -> AzureFunctionsRpcMessages_InvocationResponse {
    let id = request.invocationID
    var message = StreamingMessage()
    message.invocationRequest = request
    let promise = Promise<AzureFunctionsRpcMessages_InvocationResponse>()
    let (writer, error): ((any WorkerMessageSink)?, FunctionsHostError?) = state.withLock { s in
      if let reason = s.closeReason {
        return (nil, FunctionsHostError(code: .workerExited, message: reason, invocationID: id))
      }
      guard let w = s.writer else {
        return (nil, FunctionsHostError(code: .workerUnavailable, message: "worker \(slot) has no stream", invocationID: id))
      }
      s.pending[id] = PendingInvocation(
        functionName: functionName, promise: promise, deadline: timeout.map { ContinuousClock.now + $0 })
      outstandingCount.add(1, ordering: .relaxed)
      return (w, nil)
    }
    if let error { throw error }
    do {
      try await writer!.write(message)
    } catch {
      failInvocation(
        id, with: FunctionsHostError(
          code: .workerExited, message: "could not send the invocation to worker \(slot): \(error)",
          invocationID: id, cause: error))
    }
    do {
      return try await promise.value()
    } catch is CancellationError {
      if removePending(id) != nil { _ = await sendCancel(id) }
      throw FunctionsHostError(code: .functionCancelled, message: "the caller went away", invocationID: id)
    }
  }

  private func failInvocation(_ id: String, with error: any Error) {
    removePending(id)?.promise.complete(.failure(error))
  }

  @discardableResult
  private func removePending(_ id: String) -> PendingInvocation? {
    let p = state.withLock { $0.pending.removeValue(forKey: id) }
    if p != nil { outstandingCount.subtract(1, ordering: .relaxed) }
    return p
  }

  /// Fails the callers of invocations past their deadline with `timeout` (sending InvocationCancel when
  /// the worker handles it) and reports a timed-out invocation that the worker did not stop in `grace`.
  package func expireInvocations(now: ContinuousClock.Instant, grace: Duration) -> Expiry {
    var expiry = Expiry()
    var toFail: [(String, PendingInvocation)] = []
    state.withLock { s in
      for (id, p) in s.pending {
        if let timedOut = p.timedOutAt {
          if now - timedOut > grace, expiry.unresponsive == nil { expiry.unresponsive = id }
        } else if let deadline = p.deadline, deadline <= now {
          s.pending[id]?.timedOutAt = now
          toFail.append((id, p))
        }
      }
    }
    for (id, p) in toFail {
      expiry.expired.append(id)
      p.promise.complete(
        .failure(
          FunctionsHostError(
            code: .timeout, message: "function '\(p.functionName)' exceeded its functionTimeout", invocationID: id)))
    }
    return expiry
  }

  /// Sends InvocationCancel for `id` if the worker handles it; returns whether it was sent.
  package func sendCancel(_ id: String) async -> Bool {
    guard has(capability: "HandlesInvocationCancelMessage") else { return false }
    var cancel = StreamingMessage()
    var body = AzureFunctionsRpcMessages_InvocationCancel()
    body.invocationID = id
    cancel.invocationCancel = body
    do { try await send(cancel) } catch { return false }
    return true
  }

  // MARK: - Receiving

  /// Routes one inbound message. Called in order by the stream's reader loop.
  package func receive(_ message: StreamingMessage) {
    switch message.content {
    case .invocationResponse(let response):
      if let p = removePending(response.invocationID) {
        if p.timedOutAt != nil {
          logger.info(
            "invocation finished after its timeout with status \(response.result.status)",
            metadata: ["invocationId": "\(response.invocationID)", "function": "\(p.functionName)"])
        }
        p.promise.complete(.success(response))
      } else {
        logger.warning(
          "worker sent a response for an unknown invocation; ignored",
          metadata: ["invocationId": "\(response.invocationID)"])
      }
    case .rpcLog(let log):
      forward(log)
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
    case .functionEnvironmentReloadResponse:
      resolve(.environmentReload, with: .success(message))
    case .startStream:
      logger.warning("worker sent a second StartStream on its stream; ignored")
    case .none:
      logger.debug("worker sent a message of a kind this host does not know; ignored")
    default:
      logger.debug("worker sent \(String(describing: message.content).prefix(60)); ignored")
    }
  }

  private func forward(_ log: AzureFunctionsRpcMessages_RpcLog) {
    var metadata: Logger.Metadata = [:]
    var function: String? = nil
    if !log.invocationID.isEmpty {
      metadata["invocationId"] = "\(log.invocationID)"
      function = state.withLock({ $0.pending[log.invocationID]?.functionName })
      if let function { metadata["function"] = "\(function)" }
    }
    let level = log.level.rawValue
    guard logLevels.allows(level: level == 6 ? 2 : level, function: function) else { return }
    if !log.category.isEmpty { metadata["category"] = "\(log.category)" }
    var text = log.message
    if log.hasException, !log.exception.message.isEmpty {
      text += text.isEmpty ? log.exception.message : "\n\(log.exception.message)"
      if !log.exception.stackTrace.isEmpty { text += "\n\(log.exception.stackTrace)" }
    }
    logger.log(level: log.level.swiftLogLevel, "\(text)", metadata: metadata)
  }

  // MARK: - Closing

  /// Marks the channel closed: every caller waiting on it fails at once with `reason`.
  package func close(reason: String) {
    let (pending, replies, streamWaiter, closedWaiters) = state.withLock { s in
      if s.closeReason == nil { s.closeReason = reason }
      s.readyForInvocations = false
      s.writer = nil
      outstandingCount.store(0, ordering: .relaxed)
      defer {
        s.pending = [:]
        s.replies = [:]
        s.streamWaiter = nil
        s.closedWaiters = []
      }
      return (s.pending, s.replies, s.streamWaiter, s.closedWaiters)
    }
    for (id, p) in pending {
      p.promise.complete(.failure(FunctionsHostError(code: .workerExited, message: reason, invocationID: id)))
    }
    for (_, p) in replies { p.complete(.failure(FunctionsHostError(code: .workerExited, message: reason))) }
    streamWaiter?.resume(throwing: FunctionsHostError(code: .workerExited, message: reason))
    for c in closedWaiters { c.resume() }
  }

  /// Wakes ``waitUntilClosed(orShutdown:)`` callers without closing the channel.
  package func requestShutdown() {
    let waiters = state.withLock { s in
      s.shutdownRequested = true
      s.readyForInvocations = false
      defer { s.closedWaiters = [] }
      return s.closedWaiters
    }
    for c in waiters { c.resume() }
  }

  /// Whether ``requestShutdown()`` was called.
  package var isShutdownRequested: Bool { state.withLock { $0.shutdownRequested } }

  /// Waits until the channel closes (or, with `orShutdown`, until a shutdown is requested).
  package func waitUntilClosed(orShutdown: Bool = false) async {
    await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
      let closed = state.withLock { s in
        if s.closeReason != nil || (orShutdown && s.shutdownRequested) { return true }
        s.closedWaiters.append(c)
        return false
      }
      if closed { c.resume() }
    }
  }
}

extension AzureFunctionsRpcMessages_RpcLog.Level {
  package var swiftLogLevel: Logger.Level {
    switch self {
    case .trace: .trace
    case .debug: .debug
    case .information: .info
    case .warning: .warning
    case .error: .error
    case .critical: .critical
    default: .info
    }
  }
}
