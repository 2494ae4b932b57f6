internal import FunctionsHostCore
internal import FunctionsRPC
internal import Hummingbird

extension TraceContextGenerator {
  /// The trace context for a request with these headers: its `traceparent` (and `tracestate`) is
  /// continued when valid (see ``TraceContextGenerator`` in FunctionsHostCore).
  func context(for headers: HTTPFields) -> AzureFunctionsRpcMessages_RpcTraceContext {
    context(traceparent: headers[HTTPField.Name.traceparent], tracestate: headers[HTTPField.Name.tracestate])
  }
}

extension HTTPField.Name {
  /// `traceparent` (W3C Trace Context).
  static let traceparent = HTTPField.Name("traceparent")!
  /// `tracestate` (W3C Trace Context).
  static let tracestate = HTTPField.Name("tracestate")!
}
