public import FunctionsHostCore
internal import Foundation

/// A dispatcher that records each invocation of the dispatcher it wraps: metrics at the end (outcome and
/// duration per function), in-flight count, and the dashboard's journal. Make one with
/// ``HostTelemetry/dispatcher(wrapping:)`` and hand it to the triggers and the front door.
public struct ObservedDispatcher: InvocationDispatching {
  let inner: any InvocationDispatching
  let telemetry: HostTelemetry

  /// Runs the invocation on the wrapped dispatcher and records how it ended.
  public func invoke(_ input: InvocationInput) async throws -> InvocationOutput {
    guard telemetry.configuration.traces else { return try await recorded(input) }
    let trigger = inner.function(named: input.functionName)?.trigger?.type
    return try await InvocationTracing.traced(input, trigger: trigger) { try await recorded($0) }
  }

  private func recorded(_ input: InvocationInput) async throws -> InvocationOutput {
    try await recorded(input.functionName, invocationID: \.invocationID) { try await inner.invoke(input) }
  }

  /// Runs `body` (one invocation of `functionName`) and records how it ended.
  private func recorded<Result>(
    _ functionName: String, invocationID: (Result) -> String, _ body: () async throws -> Result
  ) async throws -> Result {
    guard telemetry.isRecording else { return try await body() }
    let start = ContinuousClock.now
    let wallStart = telemetry.journalEnabled ? Date().timeIntervalSince1970 : 0
    telemetry.metrics.invocationStarted()
    do {
      let result = try await body()
      telemetry.finished(
        functionName, outcome: .succeeded, invocationID: invocationID(result), start: start,
        wallStart: wallStart, error: nil)
      return result
    } catch {
      let id = (error as? FunctionsHostError)?.invocationID ?? ""
      telemetry.finished(
        functionName, outcome: InvocationOutcome(error: error), invocationID: id, start: start,
        wallStart: wallStart, error: error)
      throw error
    }
  }

  /// Starts the invocation on the wrapped dispatcher when it can, recording how it ended as
  /// ``invoke(_:)`` does; `false` while traces are on (the span needs the awaiting path).
  public func startInvoke(
    _ input: InvocationInput, function: FunctionMetadata,
    completion: @escaping @Sendable (Result<InvocationOutput, any Error>) -> Void
  ) -> Bool {
    guard !telemetry.configuration.traces else { return false }
    guard telemetry.isRecording else { return inner.startInvoke(input, function: function, completion: completion) }
    let start = ContinuousClock.now
    let wallStart = telemetry.journalEnabled ? Date().timeIntervalSince1970 : 0
    let telemetry = self.telemetry
    let name = input.functionName
    telemetry.metrics.invocationStarted()
    let started = inner.startInvoke(input, function: function) { result in
      switch result {
      case .success(let output):
        telemetry.finished(
          name, outcome: .succeeded, invocationID: output.invocationID, start: start, wallStart: wallStart, error: nil)
      case .failure(let error):
        telemetry.finished(
          name, outcome: InvocationOutcome(error: error), invocationID: (error as? FunctionsHostError)?.invocationID ?? "",
          start: start, wallStart: wallStart, error: error)
      }
      completion(result)
    }
    if !started { telemetry.metrics.invocationAbandoned() }
    return started
  }

  /// The wrapped dispatcher's HTTP proxy target for `function`.
  public func httpProxy(for function: FunctionMetadata) -> HTTPProxyTarget? { inner.httpProxy(for: function) }

  /// Runs the proxied invocation on the wrapped dispatcher and records how it ended (the invocation,
  /// not the stream that may follow it).
  public func invokeProxied<Forwarded: Sendable>(
    _ input: InvocationInput, function: FunctionMetadata,
    forward: @escaping @Sendable (HTTPProxyTarget, String) async throws -> Forwarded
  ) async throws -> (Forwarded, InvocationOutput) {
    let run: (InvocationInput) async throws -> (Forwarded, InvocationOutput) = { input in
      try await recorded(input.functionName, invocationID: \.1.invocationID) {
        try await inner.invokeProxied(input, function: function, forward: forward)
      }
    }
    guard telemetry.configuration.traces else { return try await run(input) }
    return try await InvocationTracing.traced(
      input, trigger: function.trigger?.type, invocationID: \.1.invocationID, run: run)
  }

  /// The wrapped dispatcher's functions.
  public func functions() -> [FunctionMetadata] { inner.functions() }

  /// The wrapped dispatcher's function of that name.
  public func function(named name: String) -> FunctionMetadata? { inner.function(named: name) }
}
