internal import FunctionsRPC
internal import Synchronization

extension FunctionsHost {
  /// The worker HTTP server requests for `function` go to, when the workers advertised one that
  /// proxies it (see ``HTTPProxyTarget``). One atomic load when no worker advertised any.
  public func httpProxy(for function: FunctionMetadata) -> HTTPProxyTarget? {
    guard let target = state.withLock({ $0.pool }).httpProxy(), target.proxies(function) else { return nil }
    return target
  }

  /// Runs `function` in HTTP proxying mode (see ``InvocationDispatching/invokeProxied(_:function:forward:)``):
  /// the request forwarded by `forward` and the InvocationRequest go to the same worker; when either
  /// fails the other is cancelled (an InvocationCancel for the invocation) and the failure is thrown.
  public func invokeProxied<Forwarded: Sendable>(
    _ input: InvocationInput, function: FunctionMetadata,
    forward: @escaping @Sendable (HTTPProxyTarget, String) async throws -> Forwarded
  ) async throws -> (Forwarded, InvocationOutput) {
    try await dispatch(input, resolved: function) { channel, request, function, timeout in
      guard let target = channel.httpProxy else {
        // Nothing sent yet: the dispatcher tries another worker.
        throw FunctionsHostError(
          code: .workerUnavailable, message: "worker \(channel.slot) has no HTTP server for proxied requests",
          invocationID: request.invocationID)
      }
      return try await Self.runProxied(
        request, on: channel, target: target, function: function, timeout: timeout, forward: forward)
    }
  }

  private enum ProxyPart<Forwarded: Sendable>: Sendable {
    case forwarded(Forwarded)
    case forwardFailed(any Error)
    case invoked(InvocationOutput)
    case invocationFailed(any Error)
  }

  private static func runProxied<Forwarded: Sendable>(
    _ request: AzureFunctionsRpcMessages_InvocationRequest, on channel: WorkerChannel, target: HTTPProxyTarget,
    function: FunctionMetadata, timeout: Duration?,
    forward: @escaping @Sendable (HTTPProxyTarget, String) async throws -> Forwarded
  ) async throws -> (Forwarded, InvocationOutput) {
    let id = request.invocationID
    let name = function.name
    return try await withThrowingTaskGroup(of: ProxyPart<Forwarded>.self) { group in
      group.addTask {
        do { return .forwarded(try await forward(target, id)) } catch { return .forwardFailed(error) }
      }
      group.addTask {
        do {
          let response = try await channel.invoke(request, functionName: name, timeout: timeout)
          return .invoked(try FunctionsHost.output(from: response, function: function))
        } catch {
          return .invocationFailed(error)
        }
      }
      var forwarded: Forwarded? = nil
      var completed: InvocationOutput? = nil
      while let part = try await group.next() {
        switch part {
        case .forwarded(let value): forwarded = value
        case .invoked(let value): completed = value
        case .forwardFailed(let error):
          group.cancelAll()
          if error is CancellationError { throw error }
          if let failure = error as? FunctionsHostError { throw failure.with(invocationID: id) }
          throw FunctionsHostError(
            code: .proxyFailed,
            message: "forwarding the request of '\(name)' to worker \(channel.slot)'s HTTP server failed: \(error)",
            invocationID: id, cause: error)
        case .invocationFailed(let error):
          group.cancelAll()
          throw error
        }
        if let forwarded, let completed { return (forwarded, completed) }
      }
      throw CancellationError()
    }
  }
}

extension FunctionsHostError {
  /// The same error, naming `invocationID` if it named none.
  func with(invocationID id: String) -> FunctionsHostError {
    var copy = self
    if copy.invocationID == nil { copy.invocationID = id }
    return copy
  }
}
