internal import FunctionsHostCore
internal import FunctionsRPC
internal import Instrumentation
internal import Tracing

/// A span per invocation (when ``HostTelemetry/Configuration/traces`` is on), child of the caller's span
/// (the front door's request span, through the task-local service context), whose W3C context is handed
/// to the worker in the invocation's trace context, so `context.trace_context` continues the same trace.
enum InvocationTracing {
  struct DictionaryInjector: Injector {
    func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) {
      carrier[key] = value
    }
  }

  static func traced(
    _ input: InvocationInput, trigger: String?, run: (InvocationInput) async throws -> InvocationOutput
  ) async throws -> InvocationOutput {
    try await traced(input, trigger: trigger, invocationID: \.invocationID, run: run)
  }

  /// ``traced(_:trigger:run:)`` for any result that names its invocation.
  static func traced<Result>(
    _ input: InvocationInput, trigger: String?, invocationID: (Result) -> String,
    run: (InvocationInput) async throws -> Result
  ) async throws -> Result {
    try await withSpan("invoke \(input.functionName)", ofKind: .internal) { span in
      var input = input
      span.attributes["faas.name"] = input.functionName
      if let trigger { span.attributes["faas.trigger"] = trigger }
      var carrier: [String: String] = [:]
      InstrumentationSystem.instrument.inject(span.context, into: &carrier, using: DictionaryInjector())
      if let traceparent = carrier["traceparent"] {
        var context = input.traceContext ?? AzureFunctionsRpcMessages_RpcTraceContext()
        context.traceParent = traceparent
        context.traceState = carrier["tracestate"] ?? context.traceState
        input.traceContext = context
      }
      do {
        let output = try await run(input)
        span.attributes["faas.invocation_id"] = invocationID(output)
        span.attributes["functions.outcome"] = InvocationOutcome.succeeded.rawValue
        return output
      } catch {
        if let id = (error as? FunctionsHostError)?.invocationID { span.attributes["faas.invocation_id"] = id }
        span.attributes["functions.outcome"] = InvocationOutcome(error: error).rawValue
        span.recordError(error)
        span.setStatus(SpanStatus(code: .error, message: (error as? FunctionsHostError)?.message))
        throw error
      }
    }
  }
}
