internal import Foundation
internal import FunctionsHostCore
internal import FunctionsObservability
internal import HTTPTypes
internal import Logging
internal import NIOCore
internal import NIOHTTPTypes
internal import Synchronization

/// The front door's invocation path on the event loop: a function request with a buffered body is
/// collected here, started with ``FunctionsHostCore/InvocationDispatching/startInvoke(_:function:completion:)``
/// and answered from the thread that decoded the worker's answer — no task, no hop to the concurrency
/// pool, no Hummingbird request or response objects. Everything else (admin, CORS, errors, streamed and
/// proxied functions, or a request no worker can take at once) goes on to Hummingbird's responder,
/// which answers it exactly as before. ``FastPathStateMachine`` keeps the answers in request order.
///
/// Sits right before Hummingbird's async-channel handler, after its connection-state handler (so idle
/// timeouts and `Connection: close` apply to both paths).
final class EventLoopInvocationHandler: ChannelDuplexHandler, RemovableChannelHandler {
  typealias InboundIn = HTTPRequestPart
  typealias InboundOut = HTTPRequestPart
  typealias OutboundIn = HTTPResponsePart
  typealias OutboundOut = HTTPResponsePart

  private let responder: FrontDoorResponder
  private let logger: Logger
  private let serverName: String?
  private var state = FastPathStateMachine()
  private var held: [HTTPRequestPart] = []
  private var readPending = false
  /// The client's half-close (end of input) seen while a request here was unanswered: passed on after it.
  private var inputClosedPending = false

  /// The request being collected or answered here.
  private var head: HTTPRequest?
  private var route: FrontDoorResponder.EventLoopRoute?
  private var body: ByteBuffer?
  private var reserved = 0

  init(responder: FrontDoorResponder, logger: Logger, serverName: String?) {
    self.responder = responder
    self.logger = logger
    self.serverName = serverName
  }

  // MARK: Inbound

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    handle(unwrapInboundIn(data), context: context)
  }

  private func handle(_ part: HTTPRequestPart, context: ChannelHandlerContext) {
    let action: FastPathStateMachine.Action
    switch part {
    case .head(let request):
      let found = state.mode == .idle && state.passedOutstanding == 0 ? responder.eventLoopRoute(for: request) : nil
      action = state.head(eligible: found != nil)
      if action == .startCollecting, let found {
        guard responder.bodyBudget.reserve(found.declaredLength) else {
          // Over the overall body budget: Hummingbird's responder answers 503 as it always has.
          state.passInstead()
          context.fireChannelRead(wrapInboundOut(part))
          return
        }
        head = request
        route = found
        reserved = found.declaredLength
        body = nil
        return
      }
    case .body(let chunk):
      action = state.body()
      if action == .collect {
        if body == nil { body = chunk } else {
          var chunk = chunk
          body!.writeBuffer(&chunk)
        }
        return
      }
    case .end:
      action = state.end()
      if action == .invoke {
        invoke(context: context)
        return
      }
    }
    switch action {
    case .forward: context.fireChannelRead(wrapInboundOut(part))
    case .hold: held.append(part)
    case .startCollecting, .collect, .invoke: break
    }
  }

  private func invoke(context: ChannelHandlerContext) {
    guard let head, let route else { return }
    let body = self.body ?? ByteBuffer()
    let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
    let eventLoop = context.eventLoop
    let started = responder.startEventLoopInvocation(head, body: body, route: route, logger: logger) { answer in
      if eventLoop.inEventLoop {
        let (handler, context) = loopBound.value
        handler.write(answer, context: context)
      } else {
        eventLoop.execute {
          let (handler, context) = loopBound.value
          handler.write(answer, context: context)
        }
      }
    }
    if !started { fallBack(context: context) }
  }

  /// Hands the collected request to Hummingbird's responder (which waits for a worker).
  private func fallBack(context: ChannelHandlerContext) {
    guard let head else { return }
    responder.bodyBudget.release(reserved)
    reserved = 0
    let body = self.body
    clearRequest()
    state.fellBack()
    context.fireChannelRead(wrapInboundOut(.head(head)))
    if let body { context.fireChannelRead(wrapInboundOut(.body(body))) }
    context.fireChannelRead(wrapInboundOut(.end(nil)))
    // Outside a read cycle (a replay), the async channel only takes parts in at a read-complete.
    context.fireChannelReadComplete()
    replayHeld(context: context)
  }

  private func write(_ answer: BufferedResponse, context: ChannelHandlerContext) {
    responder.bodyBudget.release(reserved)
    reserved = 0
    clearRequest()
    state.answered()
    if context.channel.isActive {
      var response = HTTPResponse(status: answer.status, headerFields: answer.headers)
      response.headerFields[.date] = HTTPDate.now()
      if let serverName { response.headerFields[.server] = serverName }
      if let body = answer.body {
        response.headerFields[.contentLength] = String(body.readableBytes)
        context.write(wrapOutboundOut(.head(response)), promise: nil)
        if body.readableBytes > 0 { context.write(wrapOutboundOut(.body(body)), promise: nil) }
      } else {
        context.write(wrapOutboundOut(.head(response)), promise: nil)
      }
      context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
      responder.observability?.telemetry.requestCompleted(status: answer.status.code)
    }
    replayHeld(context: context)
  }

  private func clearRequest() {
    head = nil
    route = nil
    body = nil
  }

  /// Replays the parts held behind the answered request, in order, then resumes reading.
  private func replayHeld(context: ChannelHandlerContext) {
    let replaying = !held.isEmpty
    while !held.isEmpty, state.mode != .awaiting {
      let part = held.removeFirst()
      handle(part, context: context)
    }
    // Parts forwarded outside a read cycle reach Hummingbird's async channel at a read-complete.
    if replaying { context.fireChannelReadComplete() }
    if inputClosedPending, state.mode != .awaiting, held.isEmpty {
      inputClosedPending = false
      context.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
    }
    if readPending, held.isEmpty {
      readPending = false
      context.read()
    }
  }

  // MARK: Outbound

  func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
    if case .end = unwrapOutboundIn(data) { state.passedResponseEnded() }
    context.write(data, promise: promise)
  }

  /// Reads go on while an invocation answered here is running, so the socket keeps its interest in
  /// reading (stopping and resuming cost two `epoll_ctl` calls per request); they stop once parts of a
  /// request behind it are held (at most one read batch is held, as in NIO's pipelining handler).
  func read(context: ChannelHandlerContext) {
    if !held.isEmpty {
      readPending = true
      return
    }
    context.read()
  }

  /// A client that half-closes after its request still gets the answer: the end of input waits for it
  /// (Hummingbird closes the connection when it sees it).
  func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
    if let event = event as? ChannelEvent, event == .inputClosed, state.mode == .awaiting || !held.isEmpty {
      inputClosedPending = true
      return
    }
    context.fireUserInboundEventTriggered(event)
  }

  func channelInactive(context: ChannelHandlerContext) {
    if reserved > 0 {
      responder.bodyBudget.release(reserved)
      reserved = 0
    }
    context.fireChannelInactive()
  }
}

/// IMF-fixdate for the `Date` header, formatted at most once per second.
enum HTTPDate {
  private struct Cache {
    var seconds: time_t = 0
    var text = ""
    let formatter: DateFormatter = {
      let f = DateFormatter()
      f.locale = Locale(identifier: "en_US_POSIX")
      f.timeZone = TimeZone(identifier: "GMT")
      f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
      return f
    }()
  }
  private static let cache = Mutex(Cache())

  /// The current time as an HTTP date.
  static func now() -> String {
    let seconds = time(nil)
    return cache.withLock { c in
      if c.seconds != seconds {
        c.text = c.formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
        c.seconds = seconds
      }
      return c.text
    }
  }
}
