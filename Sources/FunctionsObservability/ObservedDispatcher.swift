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
    guard telemetry.isRecording else { return try await inner.invoke(input) }
    let start = ContinuousClock.now
    let wallStart = telemetry.journalEnabled ? Date().timeIntervalSince1970 : 0
    telemetry.metrics.invocationStarted()
    do {
      let output = try await inner.invoke(input)
      telemetry.finished(
        input.functionName, outcome: .succeeded, invocationID: output.invocationID, start: start,
        wallStart: wallStart, error: nil)
      return output
    } catch {
      let id = (error as? FunctionsHostError)?.invocationID ?? ""
      telemetry.finished(
        input.functionName, outcome: InvocationOutcome(error: error), invocationID: id, start: start,
        wallStart: wallStart, error: error)
      throw error
    }
  }

  /// The wrapped dispatcher's functions.
  public func functions() -> [FunctionMetadata] { inner.functions() }

  /// The wrapped dispatcher's function of that name.
  public func function(named name: String) -> FunctionMetadata? { inner.function(named: name) }
}
