public import HTTPTypes
internal import FunctionsHostHTTP

extension FunctionsApplication {
  /// Calls an HTTP-triggered function in-process, without a socket: the request goes through the same
  /// routing, key checks, CORS and conversions as one that came over the network (``Configuration/http``
  /// may be `nil`). Waits until the application is ready.
  ///
  /// ```swift
  /// let (response, body) = try await application.respond(
  ///   to: HTTPRequest(method: .get, scheme: "http", authority: "localhost", path: "/api/hello?name=Swift"))
  /// // response.status == .ok, String(decoding: body, as: UTF8.self) == "Hello, Swift!"
  /// ```
  ///
  /// - Parameters:
  ///   - request: the request head; `path` holds the target with its query.
  ///   - body: the whole request body.
  /// - Returns: the response head and its whole body. Function failures are responses too (`500` with
  ///   the error's JSON), as over HTTP.
  /// - Throws: ``FunctionsHostError`` when the application could not start.
  public func respond(to request: HTTPRequest, body: [UInt8] = []) async throws -> (HTTPResponse, [UInt8]) {
    try await readyParts().frontDoor.respond(to: request, body: body, logger: logger)
  }
}
