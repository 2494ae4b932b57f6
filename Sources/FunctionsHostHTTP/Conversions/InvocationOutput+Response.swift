internal import Foundation
internal import FunctionsHostCore
internal import FunctionsRPC
internal import Hummingbird

/// Turns an invocation's HTTP output into an HTTP response (protocol.md §2.7).
enum HTTPResponseConversion {
  /// The value of the function's HTTP output binding: `returnValue` for `$return` (or when the
  /// function declares no HTTP output), else `outputData[name]`.
  static func outputValue(
    of output: InvocationOutput,
    outputBindingName: String?
  ) -> AzureFunctionsRpcMessages_TypedData? {
    guard let name = outputBindingName, name != "$return" else { return output.returnValue }
    return output.outputData[name] ?? output.returnValue
  }

  /// The response for an HTTP output value.
  ///
  /// - `.http`: see ``response(from:)``.
  /// - `.string`, `.int`, `.double`: 200 `text/plain; charset=utf-8`; `.json`: 200
  ///   `application/json`; `.bytes`, `.stream`: 200 `application/octet-stream`.
  /// - no value: 200 with an empty body, as the stock host answers (`OkResult`) when a
  ///   function sets no HTTP response.
  ///
  /// - Throws: ``FrontDoorError`` (500) for an invalid status code or an unsupported body type.
  static func response(
    for value: AzureFunctionsRpcMessages_TypedData?
  ) throws(FrontDoorError) -> Response {
    try buffered(for: value).response
  }

  /// ``response(for:)`` as a status, headers and whole body (the front door's event-loop path writes it
  /// as HTTP parts itself).
  static func buffered(
    for value: AzureFunctionsRpcMessages_TypedData?
  ) throws(FrontDoorError) -> BufferedResponse {
    switch value?.data {
    case .http(let http)?:
      return try buffered(from: http)
    case nil:
      return BufferedResponse(status: .ok)
    case let data?:
      let (bytes, contentType) = try body(data)
      return BufferedResponse(status: .ok, headers: [.contentType: contentType], body: bytes)
    }
  }

  /// The response for an RpcHttp written by the worker.
  ///
  /// Status from `statusCode` (empty means 200; must be an integer 200…999); a `content-type`
  /// header (any case) sets the Content-Type, others are added as given except
  /// `content-length` and `transfer-encoding`, which the server computes; each cookie becomes
  /// a `Set-Cookie` header; the body's default Content-Type depends on its type (see
  /// ``response(for:)``). `enable_content_negotiation` is ignored: the body is written as is.
  /// Responses with status 204 or 304 carry no body.
  static func response(
    from http: AzureFunctionsRpcMessages_RpcHttp
  ) throws(FrontDoorError) -> Response {
    try buffered(from: http).response
  }

  /// ``response(from:)`` as a status, headers and whole body.
  static func buffered(
    from http: AzureFunctionsRpcMessages_RpcHttp
  ) throws(FrontDoorError) -> BufferedResponse {
    let status = try status(from: http.statusCode)
    var headers = HTTPFields()
    headers.reserveCapacity(http.headers.count + http.cookies.count + 1)
    var contentType: String?
    for (name, value) in http.headers {
      if name.asciiCaseInsensitiveEquals("content-type") {
        contentType = value
        continue
      }
      if name.asciiCaseInsensitiveEquals("content-length")
        || name.asciiCaseInsensitiveEquals("transfer-encoding")
      {
        continue
      }
      guard let fieldName = HTTPField.Name(name) else { continue }
      headers.append(HTTPField(name: fieldName, value: value))
    }
    for cookie in http.cookies {
      headers.append(HTTPField(name: .setCookie, value: SetCookie.headerValue(cookie)))
    }
    if status == .noContent || status == .notModified {
      if let contentType { headers[.contentType] = contentType }
      return BufferedResponse(status: status, headers: headers, body: nil)
    }
    if let data = http.hasBody ? http.body.data : nil {
      let (bytes, defaultType) = try body(data)
      headers[.contentType] = contentType ?? defaultType
      return BufferedResponse(status: status, headers: headers, body: bytes)
    }
    if let contentType { headers[.contentType] = contentType }
    return BufferedResponse(status: status, headers: headers)
  }

  /// Parses an RpcHttp `status_code`.
  static func status(from text: String) throws(FrontDoorError) -> HTTPResponse.Status {
    let trimmed = text.trimmingSpaces
    if trimmed.isEmpty { return .ok }
    guard let code = Int(trimmed), (200 ... 999).contains(code) else {
      throw FrontDoorError(
        status: .internalServerError,
        code: "invalidResponse",
        message: "the function returned an invalid HTTP status code '\(text)'"
      )
    }
    return HTTPResponse.Status(code: code)
  }

  /// The bytes and default Content-Type of a body value.
  private static func body(
    _ data: AzureFunctionsRpcMessages_TypedData.OneOf_Data
  ) throws(FrontDoorError) -> (ByteBuffer, String) {
    switch data {
    case .string(let s): return (ByteBuffer(string: s), "text/plain; charset=utf-8")
    case .json(let s): return (ByteBuffer(string: s), "application/json")
    case .bytes(let d), .stream(let d):
      return (d.withUnsafeBytes { ByteBuffer(bytes: $0) }, "application/octet-stream")
    case .int(let i): return (ByteBuffer(string: String(i)), "text/plain; charset=utf-8")
    case .double(let d): return (ByteBuffer(string: String(d)), "text/plain; charset=utf-8")
    case .http:
      throw FrontDoorError(
        status: .internalServerError,
        code: "invalidResponse",
        message: "the function's HTTP response body is itself an HTTP response"
      )
    default:
      throw FrontDoorError(
        status: .internalServerError,
        code: "invalidResponse",
        message: "the function's HTTP response body has an unsupported type (\(data.kindName))"
      )
    }
  }
}

extension AzureFunctionsRpcMessages_TypedData.OneOf_Data {
  /// The oneof member's name, for messages.
  var kindName: String {
    switch self {
    case .string: "string"
    case .json: "json"
    case .bytes: "bytes"
    case .stream: "stream"
    case .http: "http"
    case .int: "int"
    case .double: "double"
    case .collectionBytes: "collection_bytes"
    case .collectionString: "collection_string"
    case .collectionDouble: "collection_double"
    case .collectionSint64: "collection_sint64"
    case .modelBindingData: "model_binding_data"
    case .collectionModelBindingData: "collection_model_binding_data"
    }
  }
}

/// A response with its whole body in memory.
struct BufferedResponse: Sendable {
  var status: HTTPResponse.Status
  var headers: HTTPFields = [:]
  /// The body; `nil` for a response that must not have one (204, 304: no `Content-Length` either).
  var body: ByteBuffer? = ByteBuffer()

  /// As a Hummingbird response.
  var response: Response {
    guard let body else {
      var response = Response(status: status, headers: headers)
      response.headers[.contentLength] = nil
      return response
    }
    if body.readableBytes == 0 { return Response(status: status, headers: headers) }
    return Response(status: status, headers: headers, body: .init(byteBuffer: body))
  }
}
