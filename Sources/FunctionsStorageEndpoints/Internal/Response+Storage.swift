internal import Hummingbird

extension Response {
  /// An XML response (`Content-Type: application/xml`).
  static func xml(_ status: HTTPResponse.Status, _ document: String, headers: HTTPFields = [:]) -> Response {
    var headers = headers
    headers[.contentType] = "application/xml"
    return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: document)))
  }

  /// A response with no body (`Content-Length: 0`).
  static func empty(_ status: HTTPResponse.Status, headers: HTTPFields = [:]) -> Response {
    var headers = headers
    headers[.contentLength] = "0"
    return Response(status: status, headers: headers)
  }
}
