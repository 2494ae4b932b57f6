internal import NIOCore
internal import NIOHTTP1

/// Checks each HTTP/1 request head before it becomes an `HTTPRequest` (which no longer knows the
/// protocol version or how many `Host` headers there were), as Kestrel does:
///
/// - HTTP/1.1 without exactly one `Host` header, or HTTP/1.0 with several: `400`, connection closed;
/// - a `Transfer-Encoding` other than `chunked` alone (`gzip, chunked`, …): `501`, connection closed
///   (the body is never read as if the encoding were absent);
/// - a request that does not ask to keep the connection alive (HTTP/1.0 without `keep-alive`, or
///   `Connection: close`): its response says `Connection: close` and the connection closes after it;
/// - a response that says `Connection: close` itself (a `413` for a body over the limit, …): the
///   connection closes after it, and the rest of the request (its body) is never read.
///
/// A rejected request is answered after any earlier request on the connection finished its response
/// (pipelining), and nothing after it is read.
final class HTTP1RequestGuard: ChannelDuplexHandler, RemovableChannelHandler {
  typealias InboundIn = HTTPServerRequestPart
  typealias InboundOut = HTTPServerRequestPart
  typealias OutboundIn = HTTPServerResponsePart
  typealias OutboundOut = HTTPServerResponsePart

  struct Rejection {
    var status: HTTPResponseStatus
    var message: String
  }

  /// Shared with the head-timeout handler before the parser (`nil`: no head timeout).
  var progress: RequestProgress? = nil
  /// Requests forwarded whose response has not ended.
  private var inFlight = 0
  /// Whether the response being written is the last on this connection.
  private var closeQueue: [Bool] = []
  /// A rejection waiting for the responses in flight; once set, nothing more is read.
  private var pending: Rejection?
  private var closing = false

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    if pending != nil || closing { return }  // after a rejection: read nothing more
    let part = unwrapInboundIn(data)
    guard case .head(let head) = part else {
      if case .end = part { progress?.end() }
      context.fireChannelRead(data)
      return
    }
    progress?.head()
    if let rejection = Self.check(head) {
      pending = rejection
      if inFlight == 0 { reject(context: context) }
      return
    }
    inFlight += 1
    closeQueue.append(!head.isKeepAlive)
    context.fireChannelRead(data)
  }

  func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
    switch unwrapOutboundIn(data) {
    case .head(var head) where closeQueue.first == true:
      head.headers.replaceOrAdd(name: "connection", value: "close")
      context.write(wrapOutboundOut(.head(head)), promise: promise)
    case .head(let head) where !closeQueue.isEmpty && head.headers.contains(name: "connection")
      && head.headers["connection"].contains(where: { $0.lowercased() == "close" }):
      closeQueue[0] = true  // the responder closes this connection: read nothing more once it is sent
      context.write(data, promise: promise)
    case .end:
      let last = closeQueue.isEmpty ? false : closeQueue.removeFirst()
      inFlight = max(0, inFlight - 1)
      if last {
        closing = true
        context.writeAndFlush(data, promise: promise)
        context.close(promise: nil)
      } else {
        context.write(data, promise: promise)
        if pending != nil && inFlight == 0 { reject(context: context) }
      }
    default:
      context.write(data, promise: promise)
    }
  }

  /// What is wrong with a request head, if anything.
  static func check(_ head: HTTPRequestHead) -> Rejection? {
    let hosts = head.headers["host"].count
    if head.version.major == 1 && head.version.minor >= 1 && hosts != 1 {
      return Rejection(
        status: .badRequest,
        message: hosts == 0 ? "an HTTP/1.1 request needs a Host header" : "a request must have one Host header")
    }
    if hosts > 1 {
      return Rejection(status: .badRequest, message: "a request must have at most one Host header")
    }
    let encodings = head.headers["transfer-encoding"]
      .flatMap { $0.split(separator: ",") }
      .map { $0.trimmingASCIISpaces().lowercased() }
    if !encodings.isEmpty && encodings != ["chunked"] {
      return Rejection(
        status: .notImplemented,
        message: "Transfer-Encoding '\(encodings.joined(separator: ", "))' is not supported; only 'chunked' is")
    }
    return nil
  }

  private func reject(context: ChannelHandlerContext) {
    guard let rejection = pending, !closing else { return }
    closing = true
    let body = "{\"error\":\"\(rejection.message)\",\"code\":\"badRequest\"}"
    var headers = HTTPHeaders()
    headers.add(name: "content-type", value: "application/json; charset=utf-8")
    headers.add(name: "content-length", value: String(body.utf8.count))
    headers.add(name: "connection", value: "close")
    let head = HTTPResponseHead(version: .http1_1, status: rejection.status, headers: headers)
    context.write(wrapOutboundOut(.head(head)), promise: nil)
    context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: body)))), promise: nil)
    context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in context.close(promise: nil) }
  }
}

extension Substring {
  fileprivate func trimmingASCIISpaces() -> Substring {
    var s = self
    while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
    while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
    return s
  }
}
