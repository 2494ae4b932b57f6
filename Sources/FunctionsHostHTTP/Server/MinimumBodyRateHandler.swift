internal import NIOCore
internal import NIOHTTP1

/// Closes a connection whose client sends a request body slower than a minimum rate while the host
/// is reading it (``BodyRateMeter``; Kestrel's default 240 bytes/s after 5 s): a body trickled a byte at
/// a time cannot hold a connection (the idle timeout alone restarts at every byte). Sits after the HTTP
/// parser; sees the host's reads on their way to the socket, so back-pressure does not count against the
/// client.
final class MinimumBodyRateHandler: ChannelDuplexHandler, RemovableChannelHandler {
  typealias InboundIn = HTTPServerRequestPart
  typealias InboundOut = HTTPServerRequestPart
  typealias OutboundIn = HTTPServerResponsePart
  typealias OutboundOut = HTTPServerResponsePart

  private var meter: BodyRateMeter
  private var timer: Scheduled<Void>?
  private let start = NIODeadline.now()

  init(bytesPerSecond: Int, grace: Duration) {
    meter = BodyRateMeter(bytesPerSecond: bytesPerSecond, grace: grace)
  }

  private var now: Duration { .nanoseconds(Int64((NIODeadline.now() - start).nanoseconds)) }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    switch unwrapInboundIn(data) {
    case .head(let head):
      let length = head.headers.first(name: "content-length").flatMap(Int.init) ?? 0
      if length > 0 || head.headers.contains(name: "transfer-encoding") { meter.bodyStarted() }
    case .body(let chunk):
      meter.received(chunk.readableBytes)
    case .end:
      if meter.active {
        meter.bodyEnded()
        cancelTimer()
      }
    }
    context.fireChannelRead(data)
  }

  /// Requests without a body (most) cost no clock read and no timer.
  func channelReadComplete(context: ChannelHandlerContext) {
    if meter.active {
      meter.readCompleted(at: now)
      cancelTimer()
    }
    context.fireChannelReadComplete()
  }

  func read(context: ChannelHandlerContext) {
    if meter.active, let left = meter.readRequested(at: now) { arm(in: left, context: context) }
    context.read()
  }

  private func arm(in delay: Duration, context: ChannelHandlerContext) {
    cancelTimer()
    let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
    timer = context.eventLoop.scheduleTask(in: .nanoseconds(Int64(max(delay, .milliseconds(1)) / .nanoseconds(1)))) {
      [weak self] in
      guard let self else { return }
      self.timer = nil
      switch self.meter.check(at: self.now) {
      case .tooSlow: loopBound.value.close(promise: nil)
      case .fine(let left): self.arm(in: left, context: loopBound.value)
      case .idle: break
      }
    }
  }

  private func cancelTimer() {
    timer?.cancel()
    timer = nil
  }

  func channelInactive(context: ChannelHandlerContext) {
    cancelTimer()
    context.fireChannelInactive()
  }
}
