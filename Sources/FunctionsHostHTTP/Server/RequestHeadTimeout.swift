internal import NIOCore

/// Where the connection stands between its raw bytes and its parsed requests, shared by
/// ``RequestHeadTimeoutHandler`` (before the HTTP parser) and ``HTTP1RequestGuard`` (after it).
/// Event-loop confined: both handlers live on the connection's loop.
final class RequestProgress {
  /// Whether a request head has been parsed and that request's end has not.
  var inRequest = false
  /// Whether bytes of a head that is not parsed yet have arrived.
  var headPending = false
  /// Called when a request head has been parsed.
  var headArrived: (() -> Void)?

  /// A head was parsed.
  func head() {
    inRequest = true
    headPending = false
    headArrived?()
  }

  /// The request's end was parsed: the next byte starts a new head.
  func end() { inRequest = false }
}

/// Closes a connection whose request head does not arrive whole within a deadline of its first byte
/// (Kestrel's `RequestHeadersTimeout`, 30 s), so a client trickling a head a byte at a time cannot hold
/// a connection: the idle timeout alone restarts at every byte. A connection that sends nothing is the
/// idle timeout's business; a parsed head stops the clock.
final class RequestHeadTimeoutHandler: ChannelInboundHandler, RemovableChannelHandler {
  typealias InboundIn = ByteBuffer
  typealias InboundOut = ByteBuffer

  private let timeout: TimeAmount
  private let progress: RequestProgress
  private var timer: Scheduled<Void>?

  init(timeout: TimeAmount, progress: RequestProgress) {
    self.timeout = timeout
    self.progress = progress
  }

  func handlerAdded(context: ChannelHandlerContext) {
    progress.headArrived = { [weak self] in
      self?.timer?.cancel()
      self?.timer = nil
    }
  }

  /// The usual head arrives whole in one read and is parsed before ``channelRead`` returns: no timer is
  /// made for it. Only a head still incomplete after its first read gets one, due from that first byte.
  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    let startsHead = !progress.inRequest && !progress.headPending
    let firstByte = startsHead ? NIODeadline.now() : nil
    if startsHead { progress.headPending = true }
    context.fireChannelRead(data)
    guard let firstByte, progress.headPending, timer == nil else { return }
    let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
    timer = context.eventLoop.scheduleTask(deadline: firstByte + timeout) { [weak self] in
      guard let self, self.timer != nil, self.progress.headPending else { return }
      self.timer = nil
      loopBound.value.close(promise: nil)
    }
  }

  func channelInactive(context: ChannelHandlerContext) {
    timer?.cancel()
    timer = nil
    context.fireChannelInactive()
  }
}
