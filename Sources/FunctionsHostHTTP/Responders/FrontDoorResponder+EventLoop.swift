internal import FunctionsHostCore
internal import FunctionsObservability
internal import FunctionsRPC
internal import Hummingbird
internal import Logging
internal import NIOCore

extension FrontDoorResponder {
  /// A request the event-loop path answers: a function route, key checked, body within the limit.
  struct EventLoopRoute {
    let route: HTTPRoute
    let params: [String: String]
    /// The declared body length (0 when none).
    let declaredLength: Int
  }

  /// The route of `head` when the event-loop path can answer it exactly as ``respond(to:logger:)``
  /// would; `nil` sends the request through Hummingbird's responder (admin endpoints, CORS, errors,
  /// chunked or oversized bodies, HEAD, proxied functions, tracing on).
  func eventLoopRoute(for head: HTTPRequest) -> EventLoopRoute? {
    if let observability, observability.telemetry.configuration.traces { return nil }
    if cors != nil, head.headerFields[.origin] != nil { return nil }
    if head.method == .head || head.method == .options { return nil }
    if head.headerFields[.transferEncoding] != nil { return nil }
    let declared: Int
    if let text = head.headerFields[.contentLength] {
      guard let value = Int(text), value >= 0, value <= configuration.maxRequestBodySize else { return nil }
      declared = value
    } else {
      declared = 0
    }
    let target = head.path ?? "/"
    let path = RequestPath.path(of: target)
    if RequestPath.isAdmin(path) { return nil }
    if RequestPath.containsNUL(path) { return nil }
    let table = routes.table(for: dispatcher.functions())
    guard case .matched(let route, let params) = table.lookup(path: path, method: head.method.rawValue),
      keys.allows(head, level: route.authLevel, functionName: route.functionName),
      dispatcher.httpProxy(for: route.function) == nil
    else { return nil }
    return EventLoopRoute(route: route, params: params, declaredLength: declared)
  }

  /// Starts the invocation of a collected request; `completion` gets the answer to write. `false` when
  /// it cannot start at once (the request then goes through Hummingbird's responder, which waits).
  func startEventLoopInvocation(
    _ head: HTTPRequest, body: ByteBuffer, route: EventLoopRoute, logger: Logger,
    completion: @escaping @Sendable (BufferedResponse) -> Void
  ) -> Bool {
    let input = InvocationInput(
      httpRequest: head,
      body: body,
      route: route.route,
      params: route.params,
      traceContext: traceContexts.context(for: head.headerFields),
      defaultAuthority: defaultAuthority
    )
    let routeInfo = route.route
    return dispatcher.startInvoke(input, function: routeInfo.function) { result in
      completion(answer(for: result, route: routeInfo, logger: logger))
    }
  }

  /// The response for an invocation's result, as ``respond(to:logger:)`` makes it.
  func answer(for result: Result<InvocationOutput, any Error>, route: HTTPRoute, logger: Logger) -> BufferedResponse {
    switch result {
    case .success(let output):
      do {
        let value = HTTPResponseConversion.outputValue(of: output, outputBindingName: route.outputBindingName)
        return try HTTPResponseConversion.buffered(for: value)
      } catch {
        var failure = error
        failure.invocationID = output.invocationID
        failure.functionName = route.functionName
        log(failure, logger: logger)
        return failure.buffered
      }
    case .failure(let error):
      return failure(for: error, route: route, logger: logger).buffered
    }
  }
}
