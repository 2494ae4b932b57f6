internal import AsyncHTTPClient
internal import FunctionsHostCore
internal import Hummingbird
internal import Logging
internal import NIOCore
internal import NIOHTTP1

extension FrontDoorResponder {
  /// HTTP proxying (protocol.md §2.6): the request goes, unbuffered, to the worker's own HTTP server
  /// with `x-ms-invocation-id`, the InvocationRequest (route values only) to the same worker, and the
  /// worker server's response comes back as it is produced — the way streamed responses (SSE, large
  /// downloads) and streamed uploads work. The body limit and budget do not apply: nothing is held.
  ///
  /// Returns once the response head has arrived and the invocation is complete; the body keeps
  /// streaming after that. A client that goes away closes the forwarded connection (the worker stops
  /// the stream); before the head, it cancels the invocation (InvocationCancel).
  func invokeProxied(
    _ route: HTTPRoute,
    target: HTTPProxyTarget,
    params: [String: String],
    request: Request,
    logger: Logger
  ) async throws -> Response {
    let input = InvocationInput(
      proxiedRequest: request.head,
      route: route,
      params: params,
      routeParametersOnly: target.requiresRouteParameters,
      traceContext: traceContexts.context(for: request.headers)
    )
    let forwarder = self.forwarder
    let upstream: HTTPClientResponse
    do {
      (upstream, _) = try await dispatcher.invokeProxied(input, function: route.function) { target, id in
        try await forwarder.forward(request, to: target, invocationID: id, logger: logger)
      }
    } catch is CancellationError {
      throw CancellationError()
    } catch {
      return failureResponse(for: error, route: route, logger: logger)
    }
    return ProxiedResponse.response(from: upstream, functionName: route.functionName, logger: logger)
  }
}

/// The worker server's response, as the front door's.
enum ProxiedResponse {
  /// Status and end-to-end headers as the worker sent them; the body streamed chunk by chunk, each
  /// written (and flushed) as it arrives, with back-pressure both ways.
  static func response(from upstream: HTTPClientResponse, functionName: String, logger: Logger) -> Response {
    var fields = HTTPFields()
    var length: Int? = nil
    for header in upstream.headers {
      let lower = header.name.lowercased()
      if ProxyHeaders.isHopByHop(lower) { continue }
      if lower == "content-length" {
        length = Int(header.value)
        continue
      }
      guard let name = HTTPField.Name(header.name) else { continue }
      fields.append(HTTPField(name: name, value: header.value))
    }
    let status = HTTPResponse.Status(code: Int(upstream.status.code), reasonPhrase: upstream.status.reasonPhrase)
    let body = upstream.body
    return Response(
      status: status, headers: fields,
      body: ResponseBody(contentLength: length) { writer in
        do {
          for try await chunk in body { try await writer.write(chunk) }
        } catch {
          logger.debug(
            "stream of '\(functionName)' ended early: \(error)", metadata: ["function": "\(functionName)"])
          throw error
        }
        try await writer.finish(nil)
      })
  }
}
