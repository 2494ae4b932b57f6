internal import FunctionsStorage
internal import Hummingbird
internal import Logging

/// The per-request context of the storage servers: only the request's logger.
struct StorageRequestContext: InitializableFromSource {
  /// The request logger (with Hummingbird's `hb.request.id`).
  var logger: Logger

  /// Creates the context from Hummingbird's per-request source.
  init(source: ApplicationRequestContextSource) {
    self.logger = source.logger
  }
}

/// One parsed request, as the Blob and Queue operations see it.
struct StorageRequest: Sendable {
  /// The method.
  var method: HTTPRequest.Method
  /// The headers.
  var headers: HTTPFields
  /// The `Host` (HTTP/1) or `:authority`, e.g. `127.0.0.1:10000`.
  var authority: String?
  /// The parsed path and query.
  var target: RequestTarget
  /// The body, read at most once.
  var body: RequestBody
  /// The request's logger.
  var logger: Logger

  /// Whether this is a HEAD request (the response keeps its headers and loses its body).
  var isHead: Bool { method == .head }

  /// The `comp` query parameter.
  var comp: String? { target.query("comp") }

  /// The `restype` query parameter.
  var restype: String? { target.query("restype") }

  /// A header value, `nil` when absent or empty.
  func header(_ name: HTTPField.Name) -> String? {
    guard let value = headers[name], !value.isEmpty else { return nil }
    return value
  }

  /// An integer query parameter, `defaultValue` when absent.
  ///
  /// - Throws: `InvalidQueryParameterValue` when it is not an integer,
  ///   `OutOfRangeQueryParameterValue` when it is outside `range`.
  func integerQuery(_ name: String, default defaultValue: Int?, range: ClosedRange<Int>) throws(StorageError) -> Int? {
    guard let text = target.query(name) else { return defaultValue }
    guard let value = Int(text) else {
      throw StorageError.endpoint(
        .invalidQueryParameterValue, "Value for one of the query parameters specified in the request URI is invalid: \(name)=\(text).")
    }
    guard range.contains(value) else {
      throw StorageError.endpoint(
        .outOfRangeQueryParameterValue,
        "One of the query parameters specified in the request URI is outside the permissible range: \(name)=\(value) (allowed \(range.lowerBound)...\(range.upperBound))."
      )
    }
    return value
  }

  /// A required string query parameter.
  func requiredQuery(_ name: String) throws(StorageError) -> String {
    guard let value = target.query(name), !value.isEmpty else {
      throw StorageError.endpoint(
        .missingRequiredQueryParameter, "A query parameter that's mandatory for this request is not specified: \(name).")
    }
    return value
  }

  /// The body, collected up to `limit` bytes.
  ///
  /// - Throws: `RequestBodyTooLarge` beyond the limit.
  func collectBody(upTo limit: Int) async throws -> [UInt8] {
    if let length = header(.contentLength).flatMap({ Int($0) }), length > limit {
      throw StorageError.endpoint(.requestBodyTooLarge, "The request body is too large and exceeds the maximum permissible limit (\(limit) bytes).")
    }
    var bytes: [UInt8] = []
    for try await buffer in body {
      guard bytes.count + buffer.readableBytes <= limit else {
        throw StorageError.endpoint(.requestBodyTooLarge, "The request body is too large and exceeds the maximum permissible limit (\(limit) bytes).")
      }
      bytes += buffer.readableBytesView
    }
    return bytes
  }
}

/// The operations of one service (Blob or Queue) behind a ``StorageResponder``.
protocol StorageOperations: Sendable {
  /// Whether `SharedKeyLite` is accepted besides `SharedKey`.
  var allowsSharedKeyLite: Bool { get }
  /// Answers an authenticated (or allowed anonymous) request.
  func respond(to request: StorageRequest) async throws -> Response
  /// Whether an unsigned request may proceed (public reads only).
  func allowsAnonymous(_ request: StorageRequest) async throws -> Bool
}
