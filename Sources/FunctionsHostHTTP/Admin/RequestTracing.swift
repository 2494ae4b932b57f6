internal import Hummingbird
internal import Instrumentation
internal import Tracing

/// A server span per front-door request, continuing the caller's W3C `traceparent` (when
/// ``FunctionsObservability/HostTelemetry/Configuration/traces`` is on).
enum RequestTracing {
  struct HeaderExtractor: Extractor {
    func extract(key: String, from carrier: HTTPFields) -> String? {
      HTTPField.Name(key).flatMap { carrier[$0] }
    }
  }

  static func traced(_ request: Request, _ respond: () async throws -> Response) async throws -> Response {
    var context = ServiceContext.current ?? .topLevel
    InstrumentationSystem.instrument.extract(request.headers, into: &context, using: HeaderExtractor())
    let target = request.head.path ?? "/"
    let path = RequestPath.path(of: target)
    return try await withSpan("\(request.method.rawValue) \(path)", context: context, ofKind: .server) { span in
      span.attributes["http.request.method"] = request.method.rawValue
      span.attributes["url.path"] = String(path)
      let response = try await respond()
      span.attributes["http.response.status_code"] = response.status.code
      if response.status.code >= 500 { span.setStatus(SpanStatus(code: .error)) }
      return response
    }
  }
}
