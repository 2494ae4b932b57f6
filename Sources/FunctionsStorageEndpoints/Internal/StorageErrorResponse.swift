internal import Foundation
internal import FunctionsStorage
internal import Hummingbird

/// Error codes the endpoints answer with themselves (the store's come with ``StorageError``).
extension StorageError.Code {
  /// A missing, malformed or wrong signature (403). The message never says which.
  static let authenticationFailed = Self("AuthenticationFailed", status: 403)
  /// The URL is not `/account/...` or is not valid percent-encoded UTF-8 (400).
  static let invalidURI = Self("InvalidUri", status: 400)
  /// The method is not supported for this resource (405).
  static let unsupportedHTTPVerb = Self("UnsupportedHttpVerb", status: 405)
  /// A query parameter value is malformed or names an unsupported operation (400).
  static let invalidQueryParameterValue = Self("InvalidQueryParameterValue", status: 400)
  /// A required query parameter is missing (400).
  static let missingRequiredQueryParameter = Self("MissingRequiredQueryParameter", status: 400)
  /// A header value is malformed or unsupported (400).
  static let invalidHeaderValue = Self("InvalidHeaderValue", status: 400)
  /// A required header is missing (400).
  static let missingRequiredHeader = Self("MissingRequiredHeader", status: 400)
  /// The body is not well-formed XML, or not the expected document (400).
  static let invalidXMLDocument = Self("InvalidXmlDocument", status: 400)
  /// The request body exceeds the service's limit (413).
  static let requestBodyTooLarge = Self("RequestBodyTooLarge", status: 413)
  /// The resource path does not name anything this service serves (404).
  static let resourceNotFound = Self("ResourceNotFound", status: 404)
}

extension StorageError {
  /// An endpoint-level error.
  static func endpoint(_ code: Code, _ message: String) -> StorageError {
    StorageError(code: code, message: message)
  }

  /// `InvalidQueryParameterValue` for an operation this endpoint does not implement.
  static func unsupported(_ what: String) -> StorageError {
    StorageError(
      code: .invalidQueryParameterValue,
      message: "\(what) is not supported by this storage endpoint."
    )
  }
}

/// A ``StorageError`` whose response carries extra headers (e.g. 416 with `Content-Range: bytes */LENGTH`).
struct StorageFailure: Error {
  var error: StorageError
  var headers: HTTPFields
}

/// Builds Azure's error responses: status, `x-ms-error-code` and the `Error` XML body.
enum StorageErrorResponse {
  /// The response for `error`; HEAD responses carry the code in the header only.
  static func response(for error: StorageError, requestID: String, isHead: Bool) -> Response {
    var headers = HTTPFields()
    headers[.xMsErrorCode] = error.code.rawValue
    let status = HTTPResponse.Status(code: error.code.status)
    if isHead {
      headers[.contentLength] = "0"
      return Response(status: status, headers: headers)
    }
    var xml = XMLWriter()
    xml.element("Error") { xml in
      xml.element("Code", text: error.code.rawValue)
      xml.element(
        "Message",
        text: "\(error.message)\nRequestId:\(requestID)\nTime:\(Self.isoTimestamp(Date()))"
      )
    }
    headers[.contentType] = "application/xml"
    return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: xml.document)))
  }

  /// `2009-10-09T21:04:30.0000000Z`, the `Time:` line of Azure's error messages.
  private static func isoTimestamp(_ date: Date) -> String {
    let rfc = HTTPDate.format(date)  // "Fri, 09 Oct 2009 21:04:30 GMT"
    let parts = rfc.split(separator: " ")
    let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    let month = (months.firstIndex(of: String(parts[2])) ?? 0) + 1
    let monthText = month < 10 ? "0\(month)" : "\(month)"
    return "\(parts[3])-\(monthText)-\(parts[1])T\(parts[4]).0000000Z"
  }
}
