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
    let path = target[..<(target.firstIndex(where: { $0 == "?" || $0 == "#" }) ?? target.endIndex)]
    let method = request.method.rawValue

    if path.hasASCIIPrefixIgnoringCase("/admin/") || path.asciiCaseInsensitiveEquals("/admin") {
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
      return try await invoke(route, params: params, request: request, logger: logger)
    }
  }

  private func invoke(
    _ route: HTTPRoute,
    params: [String: String],
    request: Request,
    logger: Logger
  ) async throws -> Response {
    let limit = configuration.maxRequestBodySize
    if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit {
      return FrontDoorError.contentTooLarge(limit: limit).response
    }
    let body: ByteBuffer
    do {
      body = try await request.body.collect(upTo: limit)
    } catch is NIOTooManyBytesError {
      return FrontDoorError.contentTooLarge(limit: limit).response
    }

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
    } catch let error as FunctionsHostError {
      let failure = FrontDoorError(
        error,
        functionName: route.functionName,
        includeStackTrace: configuration.includeExceptionStackTraces
      )
      log(failure, logger: logger)
      return failure.response
    } catch is CancellationError {
      throw CancellationError()
    } catch {
      let failure = FrontDoorError(
        status: .internalServerError,
        code: FunctionsHostError.Code.internalError.description,
        message: "invocation failed: \(error)",
        functionName: route.functionName
      )
      log(failure, logger: logger)
      return failure.response
    }

    do {
      let value = HTTPResponseConversion.outputValue(
        of: output,
        outputBindingName: route.outputBindingName
      )
      return try HTTPResponseConversion.response(for: value)
    } catch {
      var failure = error
      failure.invocationID = output.invocationID
      failure.functionName = route.functionName
      log(failure, logger: logger)
      return failure.response
    }
  }

  private func log(_ failure: FrontDoorError, logger: Logger) {
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
