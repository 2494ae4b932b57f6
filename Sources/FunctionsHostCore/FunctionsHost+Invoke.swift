internal import Foundation
internal import FunctionsRPC
internal import NIOPosix
internal import Synchronization

extension FunctionsHost {
  // MARK: - InvocationDispatching

  /// The app's functions (empty until indexed).
  public func functions() -> [FunctionMetadata] {
    state.withLock { $0.catalog }?.functions ?? []
  }

  /// The function with that name (case-insensitive), if the current catalog has it.
  public func function(named name: String) -> FunctionMetadata? {
    state.withLock { $0.catalog }?.function(named: name)
  }

  /// Runs a function on the least busy ready worker that loaded it.
  public func invoke(_ input: InvocationInput) async throws -> InvocationOutput {
    try await invoke(input, resolved: nil)
  }

  /// Runs `function` (from ``functions()`` or ``function(named:)``) without looking it up again.
  public func invoke(_ input: InvocationInput, function: FunctionMetadata) async throws -> InvocationOutput {
    try await invoke(input, resolved: function)
  }

  private func invoke(_ input: InvocationInput, resolved: FunctionMetadata?) async throws -> InvocationOutput {
    try await dispatch(input, resolved: resolved) { channel, request, function, timeout in
      let response = try await channel.invoke(request, functionName: function.name, timeout: timeout)
      return try Self.output(from: response, function: function)
    }
  }

  /// Picks a worker for the function (waiting for one within the dispatch timeout) and calls `run` with
  /// it; a `run` that throws `.workerUnavailable` (nothing sent) is retried on another worker.
  func dispatch<Result>(
    _ input: InvocationInput, resolved: FunctionMetadata?,
    run: (WorkerChannel, AzureFunctionsRpcMessages_InvocationRequest, FunctionMetadata, Duration?) async throws -> Result
  ) async throws -> Result {
    let (catalog, shuttingDown, pool, timeout) = state.withLock {
      ($0.catalog, $0.shuttingDown, $0.pool, $0.functionTimeout)
    }
    if shuttingDown {
      throw FunctionsHostError(code: .shuttingDown, message: "the host is shutting down")
    }
    guard let catalog else {
      throw FunctionsHostError(code: .workerUnavailable, message: "the host has not started yet")
    }
    var known = resolved
    if !catalog.isIndexed {
      _ = await pool.waitForWorker(timeout: configuration.dispatchWaitTimeout)
      known = nil
    }
    guard var function = known ?? catalog.function(named: input.functionName), !function.isDisabled else {
      throw FunctionsHostError(code: .functionNotFound, message: "no enabled function named '\(input.functionName)'")
    }
    var request = invocationRequest(for: input, function: function)
    let invocationID = request.invocationID

    let deadline = ContinuousClock.now + configuration.dispatchWaitTimeout
    while true {
      switch pool.pick(functionID: function.functionID) {
      case .channel(let channel):
        let result: Result
        do {
          result = try await run(channel, request, function, timeout)
        } catch var error as FunctionsHostError where error.code == .workerUnavailable {
          // Not sent: try another worker.
          pool.invocationFinished()
          error.invocationID = invocationID
          if ContinuousClock.now >= deadline { throw error }
          continue
        } catch {
          pool.invocationFinished()
          throw error
        }
        pool.invocationFinished()
        return result
      case .allBusy:
        guard await pool.waitForCapacity(timeout: max(.zero, deadline - ContinuousClock.now)) else {
          throw FunctionsHostError(
            code: .overloaded,
            message: "every worker is at its concurrency limit and the host queue is full or timed out",
            invocationID: invocationID)
        }
      case .loadFailed(let message):
        throw FunctionsHostError(
          code: .functionLoadFailed, message: "function '\(function.name)' failed to load: \(message)",
          invocationID: invocationID)
      case .noneReady:
        let remaining = deadline - ContinuousClock.now
        if state.withLock({ $0.shuttingDown }) {
          throw FunctionsHostError(code: .shuttingDown, message: "the host is shutting down", invocationID: invocationID)
        }
        // A caller's function from before a hot reload may have an old id: follow the current catalog first.
        if let current = state.withLock({ $0.catalog })?.function(named: input.functionName),
          current.functionID != function.functionID
        {
          function = current
          request.functionID = current.functionID
          continue
        }
        guard remaining > .zero, await pool.waitForWorker(timeout: remaining) else {
          throw FunctionsHostError(
            code: .workerUnavailable,
            message: "no worker is ready to run '\(function.name)' (waited \(configuration.dispatchWaitTimeout.formattedMilliseconds))",
            invocationID: invocationID)
        }
        // After a hot reload the function may have a new id: follow the current catalog.
        if let current = state.withLock({ $0.catalog })?.function(named: input.functionName),
          current.functionID != function.functionID
        {
          function = current
          request.functionID = current.functionID
        }
      }
    }
  }

  /// The InvocationRequest for `input`, with a new invocation id.
  func invocationRequest(
    for input: InvocationInput, function: FunctionMetadata
  ) -> AzureFunctionsRpcMessages_InvocationRequest {
    var request = AzureFunctionsRpcMessages_InvocationRequest()
    request.invocationID = invocationIDs.next()
    request.functionID = function.functionID
    request.inputData = input.inputData
    request.triggerMetadata = input.triggerMetadata
    request.traceContext = input.traceContext ?? traceContexts.context(traceparent: nil, tracestate: nil)
    return request
  }

  static func output(
    from response: AzureFunctionsRpcMessages_InvocationResponse, function: FunctionMetadata
  ) throws -> InvocationOutput {
    switch response.result.status {
    case .success:
      var outputs: [String: AzureFunctionsRpcMessages_TypedData] = [:]
      for binding in response.outputData {
        if case .data(let value) = binding.rpcData { outputs[binding.name] = value }
      }
      return InvocationOutput(
        invocationID: response.invocationID, returnValue: response.hasReturnValue ? response.returnValue : nil,
        outputData: outputs)
    case .cancelled:
      throw FunctionsHostError(
        code: .functionCancelled, message: "function '\(function.name)' was cancelled",
        invocationID: response.invocationID, exception: response.result.exception)
    default:
      let e = response.result.exception
      let message = e.message.isEmpty ? (response.result.result.isEmpty ? "the function failed" : response.result.result) : e.message
      throw FunctionsHostError(
        code: .functionFailed, message: "function '\(function.name)' failed: \(message)",
        invocationID: response.invocationID, exception: e)
    }
  }
}

extension FunctionsHost {
  /// Starts `function` on the least busy ready worker without waiting, when one can take it at once
  /// (see ``InvocationDispatching/startInvoke(_:function:completion:)``); `false` sends nothing.
  public func startInvoke(
    _ input: InvocationInput, function: FunctionMetadata,
    completion: @escaping @Sendable (Result<InvocationOutput, any Error>) -> Void
  ) -> Bool {
    let (catalog, shuttingDown, pool, timeout) = state.withLock {
      ($0.catalog, $0.shuttingDown, $0.pool, $0.functionTimeout)
    }
    guard !shuttingDown, let catalog, catalog.isIndexed, !function.isDisabled else { return false }
    // A worker whose stream is on this thread's event loop answers without a thread hop either way.
    let loop = MultiThreadedEventLoopGroup.currentEventLoop
    guard case .channel(let channel) = pool.pick(functionID: function.functionID, preferring: loop) else {
      return false
    }
    let request = invocationRequest(for: input, function: function)
    return channel.startInvoke(request, functionName: function.name, timeout: timeout) { result in
      pool.invocationFinished()
      completion(result.flatMap { response in Result { try Self.output(from: response, function: function) } })
    }
  }
}
