internal import Foundation
internal import FunctionsStorage
internal import Hummingbird
internal import Logging

/// The responder of one storage server: parses the target, checks the account and the
/// signature, runs the operation, maps errors to Azure's error responses and adds the headers
/// every response carries (`x-ms-request-id`, `x-ms-version`, `Date`, `Server`).
struct StorageResponder<Operations: StorageOperations>: HTTPResponder {
  /// The context type.
  typealias Context = StorageRequestContext

  let operations: Operations
  let authenticator: SharedKeyAuthenticator
  let account: String
  let serverName: String
  let defaultVersion: String

  /// Answers one request; never throws except for cancellation.
  func respond(to request: Request, context: Context) async throws -> Response {
    let requestID = UUID().uuidString.lowercased()
    let isHead = request.method == .head
    var response: Response
    do {
      response = try await handle(request, logger: context.logger)
    } catch let error as StorageError {
      var answered = error
      if error.code.status >= 500 {
        // The details (database errors, file paths) go to the log, not to the client.
        context.logger.error("storage request failed: \(error)", metadata: ["http.path": "\(request.uri.path)"])
        answered.message =
          error.code.status == 503
          ? "The server is currently unable to receive requests. Please retry your request."
          : "The server encountered an internal error. Please retry the request."
      } else {
        context.logger.debug("storage request refused: \(error)", metadata: ["http.path": "\(request.uri.path)"])
      }
      response = StorageErrorResponse.response(for: answered, requestID: requestID, isHead: isHead)
    } catch let failure as StorageFailure {
      context.logger.debug("storage request refused: \(failure.error)", metadata: ["http.path": "\(request.uri.path)"])
      response = StorageErrorResponse.response(for: failure.error, requestID: requestID, isHead: isHead)
      for field in failure.headers { response.headers[field.name] = field.value }
    } catch is CancellationError {
      throw CancellationError()
    } catch {
      context.logger.error("storage request failed: \(error)", metadata: ["http.path": "\(request.uri.path)"])
      let failure = StorageError(code: .internalError, message: "The server encountered an internal error.")
      response = StorageErrorResponse.response(for: failure, requestID: requestID, isHead: isHead)
    }
    response.headers[.xMsRequestID] = requestID
    response.headers[.xMsVersion] = request.headers[.xMsVersion] ?? defaultVersion
    if let clientRequestID = request.headers[.xMsClientRequestID] {
      response.headers[.xMsClientRequestID] = clientRequestID
    }
    response.headers[.date] = HTTPDate.format(Date())
    response.headers[.server] = serverName
    if isHead {
      // Keep Content-Length (the size of what GET would return), send no body.
      let length = response.headers[.contentLength]
      response.body = ResponseBody()
      response.headers[.contentLength] = length ?? "0"
    }
    return response
  }

  private func handle(_ request: Request, logger: Logger) async throws -> Response {
    guard let target = RequestTarget(request.head.path ?? "/") else {
      throw StorageError.endpoint(.invalidURI, "The requested URI does not represent any resource on the server.")
    }
    let storageRequest = StorageRequest(
      method: request.method, headers: request.headers, authority: request.head.authority, target: target, body: request.body, logger: logger)
    let outcome = authenticator.authenticate(
      method: request.method.rawValue, headers: request.headers, target: target,
      allowsLite: operations.allowsSharedKeyLite)
    switch outcome {
    case .authenticated:
      break
    case .anonymous:
      guard target.account == account, try await operations.allowsAnonymous(storageRequest) else {
        logger.debug("anonymous request refused", metadata: ["http.path": "\(target.rawPath)"])
        throw Self.authenticationFailed
      }
    case .rejected(let reason):
      logger.debug("authentication failed: \(reason)", metadata: ["http.path": "\(target.rawPath)"])
      throw Self.authenticationFailed
    }
    guard target.account == account else {
      logger.debug(
        "request for account '\(target.account)', this endpoint serves '\(account)'",
        metadata: ["http.path": "\(target.rawPath)"])
      throw Self.authenticationFailed
    }
    return try await operations.respond(to: storageRequest)
  }

  private static var authenticationFailed: StorageError {
    StorageError.endpoint(
      .authenticationFailed,
      "Server failed to authenticate the request. Make sure the value of the Authorization header is formed correctly including the signature."
    )
  }
}
