internal import FunctionsHostCore
internal import FunctionsObservability
internal import FunctionsRPC
internal import Hummingbird
internal import Logging
internal import NIOCore

/// The front door's only responder: CORS preflight, admin endpoints, then the function route
/// table, each behind its key check.
///
/// Per request: split the path, look up the route table (rebuilt only when the function set
/// changed), check the key if the route needs one (a lock, a header lookup or query scan and
/// constant-time comparisons; nothing for anonymous routes), collect the body up to the limit,
/// convert, invoke, convert back. CORS work happens only when a policy is set and the request
/// has an `Origin` header. No router trie, no regex (except `regex(...)` route constraints), no
/// JSON parsing unless the body is a JSON object (for trigger metadata, as the stock host does).
struct FrontDoorResponder: HTTPResponder {
  /// The context type.
  typealias Context = FrontDoorRequestContext

  let dispatcher: any InvocationDispatching
  let routes: RouteTableCache
  let configuration: HTTPFrontDoor.Configuration
  let traceContexts: TraceContextGenerator
  let defaultAuthority: String
  let keys: KeyChecker
  let cors: CORSRules?
  let status: (@Sendable () -> HostStatus)?
  let bodyBudget: BodyBudget
  let forwarder: HTTPProxyForwarder
  var observability: FrontDoorObservability? = nil

  /// Answers one request.
  func respond(to request: Request, context: Context) async throws -> Response {
    guard let observability else { return try await respond(to: request, logger: context.logger) }
    let response =
      observability.telemetry.configuration.traces
      ? try await RequestTracing.traced(request) { try await respond(to: request, logger: context.logger) }
      : try await respond(to: request, logger: context.logger)
    observability.telemetry.requestCompleted(status: response.status.code)
    return response
  }

  /// Answers one request (the `HTTPResponder` method without the context).
  func respond(to request: Request, logger: Logger) async throws -> Response {
    logger.trace(
      "request",
      metadata: [
        "http.method": "\(request.method.rawValue)",
        "http.target": "\(RequestKey.redacted(request.head.path ?? "/"))",
      ]
    )
    guard let cors, let origin = request.headers[.origin] else {
      return try await route(request, logger: logger)
    }
    if CORSRules.isPreflight(request.head) {
      return cors.preflightResponse(to: request.head, origin: origin)
    }
    var response = try await route(request, logger: logger)
    cors.apply(to: &response.headers, origin: origin)
    return response
  }

  /// Admin endpoints, then the route table.
  private func route(_ request: Request, logger: Logger) async throws -> Response {
    let target = request.head.path ?? "/"
    let path = RequestPath.path(of: target)
    let method = request.method.rawValue

    if RequestPath.isAdmin(path) {
      if !AdminEndpoints.isOpen(path), !keys.allowsAdmin(request.head) {
        logger.debug("admin request without the master key", metadata: ["http.path": "\(path)"])
        return FrontDoorError.adminUnauthorized(path: path).response
      }
      if let answer = await AdminKeyEndpoints.response(
        to: request, path: path, keys: keys, functions: dispatcher.functions(), logger: logger)
      {
        return answer
      }
      if let observability,
        let response = try await ObservabilityEndpoints.response(
          to: request, path: path, observability: observability, dispatcher: dispatcher,
          authority: request.head.authority ?? defaultAuthority, routePrefix: configuration.routePrefix)
      {
        return response
      }
      return AdminEndpoints.response(
        method: request.method,
        path: path,
        authority: request.head.authority ?? defaultAuthority,
        functions: dispatcher.functions(),
        routePrefix: configuration.routePrefix,
        status: status
      )
    }

    if RequestPath.containsNUL(path) { return FrontDoorError.invalidPath().response }
    let table = routes.table(for: dispatcher.functions())
    switch table.lookup(path: path, method: method) {
    case .notFound:
      logger.debug("no route", metadata: ["http.method": "\(method)", "http.path": "\(path)"])
      return FrontDoorError.routeNotFound(method: method, path: String(path)).response
    case .methodNotAllowed(let allowed):
      return FrontDoorError.methodNotAllowed(method: method, path: String(path), allowed: allowed)
        .response
    case .conflict(let route):
      let failure = FrontDoorError.routeConflict(route, fullRoute: table.fullRoute(of: route))
      logger.error("\(failure.message)", metadata: ["http.path": "\(path)"])
      return failure.response
    case .matched(let route, let params):
      guard keys.allows(request.head, level: route.authLevel, functionName: route.functionName)
      else {
        logger.debug(
          "request without a valid key",
          metadata: ["function": "\(route.functionName)", "http.path": "\(path)"]
        )
        return FrontDoorError.unauthorized(functionName: route.functionName, level: route.authLevel)
          .response
      }
      if let target = dispatcher.httpProxy(for: route.function) {
        return try await invokeProxied(route, target: target, params: params, request: request, logger: logger)
      }
      return try await invoke(route, params: params, request: request, logger: logger)
    }
  }

  private func invoke(
    _ route: HTTPRoute,
    params: [String: String],
    request: Request,
    logger: Logger
  ) async throws -> Response {
    let body: ByteBuffer
    let reserved: Int
    switch try await collectBody(of: request) {
    case .collected(let buffer, let bytes):
      body = buffer
      reserved = bytes
    case .refused(let failure):
      logger.debug("request body refused", metadata: ["error.code": "\(failure.code)"])
      return failure.response
    }
    // The body is held until the invocation is done (the worker message refers to it).
    defer { bodyBudget.release(reserved) }

    let input = InvocationInput(
      httpRequest: request.head,
      body: body,
      route: route,
      params: params,
      traceContext: traceContexts.context(for: request.headers),
      defaultAuthority: defaultAuthority
    )

    let output: InvocationOutput
    do {
      output = try await dispatcher.invoke(input)
    } catch is CancellationError {
      throw CancellationError()
    } catch {
      return failureResponse(for: error, route: route, logger: logger)
    }

    return answer(for: .success(output), route: route, logger: logger).response
  }

  /// What ``collectBody(of:)`` found.
  private enum CollectedBody {
    /// The whole body, and the bytes it took from the budget (give them back when done).
    case collected(ByteBuffer, reserved: Int)
    /// `413` (over ``HTTPFrontDoor/Configuration/maxRequestBodySize``) or `503` (over the overall
    /// budget); both close the connection, so the rest of the body is never read.
    case refused(FrontDoorError)
  }

  /// Reads the whole body within the per-request limit and the overall budget. A declared
  /// `Content-Length` is checked and reserved before anything is read; a chunked body reserves as it
  /// arrives. The chunks are kept as they came when there is one (no copy).
  private func collectBody(of request: Request) async throws -> CollectedBody {
    let limit = configuration.maxRequestBodySize
    var reserved = 0
    if let declared = request.headers[.contentLength].flatMap({ Int($0) }) {
      if declared > limit { return .refused(.contentTooLarge(limit: limit)) }
      guard bodyBudget.reserve(declared) else { return .refused(.bodyBudgetExhausted(budget: bodyBudget.limit)) }
      reserved = declared
    }
    let declaredBytes = reserved
    var body = ByteBuffer()
    do {
      for try await chunk in request.body {
        let size = body.readableBytes + chunk.readableBytes
        if size > limit {
          bodyBudget.release(reserved)
          return .refused(.contentTooLarge(limit: limit))
        }
        if size > declaredBytes {
          // A chunked body (or more than declared, which the parser refuses anyway): reserve as it comes.
          let more = size - reserved
          guard bodyBudget.reserve(more) else {
            bodyBudget.release(reserved)
            return .refused(.bodyBudgetExhausted(budget: bodyBudget.limit))
          }
          reserved += more
        }
        if body.readableBytes == 0 {
          body = chunk
        } else {
          var chunk = chunk
          body.writeBuffer(&chunk)
        }
      }
    } catch {
      bodyBudget.release(reserved)
      throw error
    }
    return .collected(body, reserved: reserved)
  }

  /// The response for an invocation that failed with `error` (logged).
  func failureResponse(for error: any Error, route: HTTPRoute, logger: Logger) -> Response {
    failure(for: error, route: route, logger: logger).response
  }

  /// The error answer for an invocation that failed with `error` (logged).
  func failure(for error: any Error, route: HTTPRoute, logger: Logger) -> FrontDoorError {
    let failure: FrontDoorError
    if let error = error as? FunctionsHostError {
      failure = FrontDoorError(
        error,
        functionName: route.functionName,
        includeStackTrace: configuration.includeExceptionStackTraces
      )
    } else {
      failure = FrontDoorError(
        status: .internalServerError,
        code: FunctionsHostError.Code.internalError.description,
        message: "invocation failed: \(error)",
        functionName: route.functionName
      )
    }
    log(failure, logger: logger)
    return failure
  }

  /// Logs a failed invocation's error answer.
  func log(_ failure: FrontDoorError, logger: Logger) {
    var metadata: Logger.Metadata = [
      "function": "\(failure.functionName ?? "")",
      "error.code": "\(failure.code)",
      "http.status": "\(failure.status.code)",
    ]
    if let id = failure.invocationID { metadata["invocation.id"] = "\(id)" }
    if let exception = failure.exception, !exception.message.isEmpty {
      metadata["exception"] = "\(exception.message)"
    }
    let id = failure.invocationID ?? "(none)"
    logger.error(
      "invocation \(id) of '\(failure.functionName ?? "")' failed: \(failure.message)",
      metadata: metadata
    )
  }
}
