package import FunctionsRPC
internal import Logging
internal import Synchronization

extension WorkerChannel {
  /// What ``expireInvocations()`` found.
  package struct Expiry: Sendable {
    /// Invocations that just passed their deadline (the callers were failed with `timeout`).
    package var expired: [String] = []
    /// Timed-out invocations the worker did not stop within the grace period.
    package var unresponsive: [String] = []
    /// When to look again (from now), if a timer must be armed.
    package var next: Duration? = nil
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
    let now = timeout == nil ? Duration.zero : clock.now
    let (writer, arm, error): ((any WorkerMessageSink)?, Duration?, FunctionsHostError?) = state.withLock { s in
      if let reason = s.closeReason {
        return (nil, nil, FunctionsHostError(code: .workerExited, message: reason, invocationID: id))
      }
      guard let w = s.writer else {
        return (nil, nil, FunctionsHostError(code: .workerUnavailable, message: "worker \(slot) has no stream", invocationID: id))
      }
      let arm = s.invocations.add(
        id, .init(functionName: functionName, token: .promise(promise), deadline: timeout.map { now + $0 }))
      outstandingCount.add(1, ordering: .relaxed)
      return (w, arm, nil)
    }
    if let error { throw error }
    if let arm { events?.yield(.invocationDeadline(after: arm - now)) }
    do {
      try await writer!.write(message)
    } catch {
      failUnsent(id, error)
    }
    do {
      return try await promise.value()
    } catch is CancellationError {
      if removeInvocation(id) != nil { _ = await sendCancel(id) }
      throw FunctionsHostError(code: .functionCancelled, message: "the caller went away", invocationID: id)
    }
  }

  /// Sends the invocation without waiting: `completion` runs once, on the thread that decodes the
  /// worker's answer (or that fails it: timeout, worker exit). Returns false, having sent nothing and
  /// without calling `completion`, when the message cannot go out synchronously (no stream, or a sink
  /// without ``WorkerMessageSink/trySend(_:)``); use ``invoke(_:functionName:timeout:)`` then.
  package func startInvoke(
    _ request: AzureFunctionsRpcMessages_InvocationRequest, functionName: String, timeout: Duration? = nil,
    completion: @escaping @Sendable (Result<AzureFunctionsRpcMessages_InvocationResponse, any Error>) -> Void
  ) -> Bool {
    let id = request.invocationID
    let now = timeout == nil ? Duration.zero : clock.now
    let started: (sink: any WorkerMessageSink, arm: Duration?)? = state.withLock { s in
      guard s.closeReason == nil, let w = s.writer, w.sendsSynchronously else { return nil }
      outstandingCount.add(1, ordering: .relaxed)
      let arm = s.invocations.add(
        id, .init(functionName: functionName, token: .callback(completion), deadline: timeout.map { now + $0 }))
      return (w, arm)
    }
    guard let (sink, arm) = started else { return false }
    if let arm { events?.yield(.invocationDeadline(after: arm - now)) }
    do {
      try sink.trySend(invocation: request)
    } catch {
      failUnsent(id, error)
    }
    return true
  }

  /// Forgets an invocation the worker will not finish; its caller was already failed with `timeout`.
  /// Its late answer, if any, is dropped.
  package func abandonInvocation(_ id: String) {
    removeInvocation(id)?.token.complete(
      .failure(FunctionsHostError(code: .timeout, message: "the invocation did not stop; its worker is being replaced", invocationID: id)))
  }

  /// Fails an invocation whose request could not be written to the stream.
  private func failUnsent(_ id: String, _ error: any Error) {
    failInvocation(
      id,
      with: FunctionsHostError(
        code: .workerExited, message: "could not send the invocation to worker \(slot): \(error)",
        invocationID: id, cause: error))
  }

  private func failInvocation(_ id: String, with error: any Error) {
    removeInvocation(id)?.token.complete(.failure(error))
  }

  @discardableResult
  private func removeInvocation(_ id: String) -> InvocationTable<InvocationCompletion>.Entry? {
    let (entry, idle) = state.withLock { s -> (InvocationTable<InvocationCompletion>.Entry?, [Promise<Void>]) in
      let entry = s.invocations.remove(id)
      guard entry != nil, s.invocations.isEmpty else { return (entry, []) }
      defer { s.idleWaiters = [] }
      return (entry, s.idleWaiters)
    }
    if entry != nil { outstandingCount.subtract(1, ordering: .relaxed) }
    for w in idle { w.complete(.success(())) }
    return entry
  }

  func completeInvocation(_ response: AzureFunctionsRpcMessages_InvocationResponse) {
    guard let entry = removeInvocation(response.invocationID) else {
      logger.warning(
        "worker sent a response for an unknown invocation; ignored", metadata: ["invocationId": "\(response.invocationID)"])
      return
    }
    if entry.timedOutAt != nil {
      logger.info(
        "invocation finished after its timeout with status \(response.result.status)",
        metadata: ["invocationId": "\(response.invocationID)", "function": "\(entry.functionName)"])
    }
    entry.token.complete(.success(response))
  }

  /// Fails the callers of invocations past their deadline with `timeout`, reports a timed-out invocation
  /// that the worker did not stop within the cancel grace, and says when to look again.
  package func expireInvocations() -> Expiry {
    let now = clock.now
    let found = state.withLock { $0.invocations.expire(now: now, grace: cancelGrace) }
    var expiry = Expiry(unresponsive: found.unresponsive, next: found.rearm.map { $0 - now })
    for (id, entry) in found.expired {
      expiry.expired.append(id)
      entry.token.complete(
        .failure(
          FunctionsHostError(
            code: .timeout, message: "function '\(entry.functionName)' exceeded its functionTimeout", invocationID: id)))
    }
    return expiry
  }

  /// Returns once no invocation is in flight (or the channel closed).
  package func waitUntilIdle() async {
    let promise = Promise<Void>()
    let idle = state.withLock { s in
      if s.invocations.isEmpty || s.closeReason != nil { return true }
      s.idleWaiters.append(promise)
      return false
    }
    if idle { return }
    try? await promise.wait()
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
}
