internal import FunctionsHostCore
internal import FunctionsRPC
internal import Hummingbird

/// An error the front door answers with, carrying its status and a small JSON body.
///
/// This file holds the single table from host error codes to HTTP statuses
/// (``status(for:)``); every error response of the front door is built here.
struct FrontDoorError: HTTPResponseError, Sendable {
  /// The HTTP status.
  var status: HTTPResponse.Status
  /// Extra headers, e.g. `Allow` or `Retry-After`.
  var headers: HTTPFields
  /// A stable code for the JSON body, e.g. `functionFailed` or `routeNotFound`.
  var code: String
  /// A human message for the JSON body.
  var message: String
  /// The invocation concerned, if any.
  var invocationID: String?
  /// The function concerned, if any.
  var functionName: String?
  /// The worker's exception, if any.
  var exception: AzureFunctionsRpcMessages_RpcException?
  /// Whether the body includes the exception's stack trace.
  var includeStackTrace = false

  /// The status for each host error code — the front door's error table.
  ///
  /// | code | status |
  /// |---|---|
  /// | `functionNotFound` | 404 |
  /// | `timeout` | 504 |
  /// | `proxyFailed` (the worker's own HTTP server failed; HTTP proxying) | 502 |
  /// | `workerUnavailable`, `workerExited`, `overloaded`, `shuttingDown` | 503 + `Retry-After: 1` |
  /// | `functionFailed`, `functionLoadFailed`, `functionCancelled`, `protocolViolation`, `internalError`, `configuration`, others | 500 |
  ///
  /// A cancelled invocation is a 500 rather than a client-closed 499: a cancellation the client
  /// can still observe was decided by the host (timeout handling, shutdown), not by the client.
  static func status(
    for code: FunctionsHostError.Code
  ) -> (status: HTTPResponse.Status, retryAfter: Bool) {
    switch code {
    case .functionNotFound: (.notFound, false)
    case .timeout: (.gatewayTimeout, false)
    case .proxyFailed: (.badGateway, false)
    case .workerUnavailable, .workerExited, .overloaded, .shuttingDown: (.serviceUnavailable, true)
    default: (.internalServerError, false)
    }
  }

  /// The response for a host error raised while invoking `functionName`.
  init(_ error: FunctionsHostError, functionName: String, includeStackTrace: Bool = false) {
    let (status, retryAfter) = FrontDoorError.status(for: error.code)
    self.status = status
    self.headers = retryAfter ? [.retryAfter: "1"] : [:]
    self.code = error.code.description
    self.message = error.message
    self.invocationID = error.invocationID
    self.functionName = functionName
    self.exception = error.exception
    self.includeStackTrace = includeStackTrace
  }

  /// Creates an error response.
  init(
    status: HTTPResponse.Status,
    code: String,
    message: String,
    headers: HTTPFields = [:],
    invocationID: String? = nil,
    functionName: String? = nil
  ) {
    self.status = status
    self.headers = headers
    self.code = code
    self.message = message
    self.invocationID = invocationID
    self.functionName = functionName
  }

  /// 400 for a path that holds a NUL byte (`%00`), which no route may receive.
  static func invalidPath() -> FrontDoorError {
    FrontDoorError(status: .badRequest, code: "invalidPath", message: "the request path contains a NUL byte (%00)")
  }

  /// 404 for a path no function's route matches.
  static func routeNotFound(method: String, path: String) -> FrontDoorError {
    FrontDoorError(
      status: .notFound,
      code: "routeNotFound",
      message: "no function matches \(method) \(path)"
    )
  }

  /// 405 with `Allow` for a path whose routes do not accept the method.
  static func methodNotAllowed(method: String, path: String, allowed: [String]) -> FrontDoorError {
    let allow = allowed.joined(separator: ", ")
    return FrontDoorError(
      status: .methodNotAllowed,
      code: "methodNotAllowed",
      message: "method \(method) is not allowed for \(path); allowed: \(allow)",
      headers: [.allow: allow]
    )
  }

  /// 401 for a request to a function-level or admin-level function without a valid key.
  static func unauthorized(functionName: String, level: AuthLevel) -> FrontDoorError {
    let needs =
      level == .admin
      ? "the master key"
      : "a key (the function's key, a host key or the master key)"
    return FrontDoorError(
      status: .unauthorized,
      code: "unauthorized",
      message: "function '\(functionName)' has authLevel '\(level.name)' and needs \(needs); "
        + "pass it in the 'x-functions-key' header or as the 'code' query parameter",
      functionName: functionName
    )
  }

  /// 401 for an `/admin` endpoint without the master key.
  static func adminUnauthorized(path: Substring) -> FrontDoorError {
    FrontDoorError(
      status: .unauthorized,
      code: "unauthorized",
      message: "the admin endpoint \(path) needs the master key; "
        + "pass it in the 'x-functions-key' header or as the 'code' query parameter"
    )
  }

  /// 500 for a route claimed by several functions (refused rather than served by one).
  static func routeConflict(_ route: HTTPRoute, fullRoute: String) -> FrontDoorError {
    let names = (route.conflictingFunctions ?? [route.functionName]).map { "'\($0)'" }
    let list = names.dropLast().joined(separator: ", ") + " and " + (names.last ?? "")
    return FrontDoorError(
      status: .internalServerError,
      code: "routeConflict",
      message: "the route '\(fullRoute)' is claimed by functions \(list); none of them is served "
        + "until they claim different routes or methods"
    )
  }

  /// 413 for a body over the configured limit. The connection is closed after it (`Connection: close`)
  /// rather than reading the rest of the body.
  static func contentTooLarge(limit: Int) -> FrontDoorError {
    FrontDoorError(
      status: .contentTooLarge,
      code: "contentTooLarge",
      message: "the request body is larger than the limit of \(limit) bytes",
      headers: [.connection: "close"]
    )
  }

  /// 503 for a body that would take the bodies held in memory beyond their overall budget. The
  /// connection is closed after it (`Connection: close`) rather than reading the rest of the body.
  static func bodyBudgetExhausted(budget: Int) -> FrontDoorError {
    FrontDoorError(
      status: .serviceUnavailable,
      code: FunctionsHostError.Code.overloaded.description,
      message: "the host holds too many request bodies at once (at most \(budget) bytes in all); try again",
      headers: [.retryAfter: "1", .connection: "close"]
    )
  }

  /// The JSON body: `{"error", "code", "invocationId"?, "function"?, "exception"?}`.
  var jsonBody: String {
    var out = "{\"error\":\(JSONValue.quote(message)),\"code\":\(JSONValue.quote(code))"
    if let invocationID { out += ",\"invocationId\":\(JSONValue.quote(invocationID))" }
    if let functionName { out += ",\"function\":\(JSONValue.quote(functionName))" }
    if let exception {
      out += ",\"exception\":{\"message\":\(JSONValue.quote(exception.message))"
      if !exception.type.isEmpty { out += ",\"type\":\(JSONValue.quote(exception.type))" }
      if includeStackTrace && !exception.stackTrace.isEmpty {
        out += ",\"stackTrace\":\(JSONValue.quote(exception.stackTrace))"
      }
      out += "}"
    }
    return out + "}"
  }

  /// The HTTP response.
  var response: Response { buffered.response }

  /// ``response`` as a status, headers and whole body.
  var buffered: BufferedResponse {
    var headers = self.headers
    headers[.contentType] = "application/json; charset=utf-8"
    return BufferedResponse(status: status, headers: headers, body: ByteBuffer(string: jsonBody))
  }

  /// `HTTPResponseError` conformance: the same response as ``response``.
  func response(from request: Request, context: some RequestContext) throws -> Response {
    response
  }
}
