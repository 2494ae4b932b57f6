internal import Logging
internal import NIOCore

/// The first handler of every connection on the worker port (TCP or Unix socket): closes a connection
/// that has attached no worker stream when the start timeout elapses, whatever it sent or did not send
/// (no HTTP/2 preface, a preface and SETTINGS but no HEADERS, a stream that never sent StartStream, a
/// refused StartStream), so that nobody can hold the host's descriptors through this port.
///
/// The timer is the event loop's scheduled task, armed when the connection is set up; a stream of this
/// connection that attaches a worker cancels it through ``streamAttached()``. Closing is logged once, at
/// warning level, with the peer's address only (nothing the peer sent). Event-loop confined: the stream
/// handlers, on the same event loop, reach it through a `NIOLoopBound`.
final class WorkerConnectionGuard: ChannelInboundHandler {
  typealias InboundIn = ByteBuffer

  private let startTimeout: TimeAmount
  private let logger: Logger
  private var timer: Scheduled<Void>? = nil
  private var attached = false
  /// Who is at the other end, as learned when the connection was set up.
  private(set) var peer: WorkerPeer = .unknown("the connection's addresses are unknown")
  /// The peer as text for log lines (an address, never bytes the peer sent).
  private(set) var peerDescription = "?"

  init(startTimeout: TimeAmount, logger: Logger) {
    self.startTimeout = startTimeout
    self.logger = logger
  }

  func handlerAdded(context: ChannelHandlerContext) {
    let channel = context.channel
    peerDescription = WorkerPeer.describe(channel.remoteAddress)
    WorkerPeer.learn(from: channel) { [self] peer in self.peer = peer }
    let millis = startTimeout.nanoseconds / 1_000_000
    timer = context.eventLoop.assumeIsolated().scheduleTask(in: startTimeout) { [self] in
      timer = nil
      guard !attached else { return }
      logger.warning(
        "a connection to the worker port attached no worker within the start timeout (\(millis) ms); connection closed",
        metadata: ["peer": "\(peerDescription)"])
      channel.close(promise: nil)
    }
  }

  func handlerRemoved(context: ChannelHandlerContext) {
    timer?.cancel()
    timer = nil
  }

  /// A stream of this connection attached a worker: the connection is the worker's now.
  func streamAttached() {
    attached = true
    timer?.cancel()
    timer = nil
  }
}
