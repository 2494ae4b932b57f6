internal import FunctionsRPC
internal import Logging
internal import NIOCore
internal import NIOHPACK
internal import NIOHTTP2
internal import SwiftProtobuf

/// Drives one EventStream (one HTTP/2 stream channel) with ``EventStreamStateMachine``: answers the
/// headers, decodes each message and hands it to the worker's ``WorkerChannel`` right here on the event
/// loop, attaches the stream on a valid StartStream, arms the start timeout, and writes the trailers.
final class EventStreamHandler: ChannelInboundHandler, RemovableChannelHandler {
  typealias InboundIn = HTTP2Frame.FramePayload
  typealias OutboundOut = HTTP2Frame.FramePayload

  private var machine: EventStreamStateMachine
  private let registry: WorkerRegistry
  private let logger: Logger
  private let startTimeout: TimeAmount
  private var timer: Scheduled<Void>? = nil
  private var responseStarted = false
  private var worker: WorkerChannel? = nil
  private var sink: EventStreamSink? = nil
  private var peer: String = "?"
  private var overUnixSocket = false
  /// The connection this stream belongs to (nil on an embedded test channel).
  private let connection: NIOLoopBound<WorkerConnectionGuard>?
  private let peerCheck: WorkerPeerCheck

  init(
    registry: WorkerRegistry, limits: EventStreamStateMachine.Limits, startTimeout: TimeAmount, logger: Logger,
    connection: NIOLoopBound<WorkerConnectionGuard>? = nil, peerCheck: WorkerPeerCheck = WorkerPeerCheck()
  ) {
    self.machine = EventStreamStateMachine(limits: limits)
    self.registry = registry
    self.startTimeout = startTimeout
    self.logger = logger
    self.connection = connection
    self.peerCheck = peerCheck
  }

  func handlerAdded(context: ChannelHandlerContext) {
    peer = WorkerPeer.describe(context.channel.parent?.remoteAddress)
    overUnixSocket = context.channel.parent?.localAddress?.protocol == .unix
    let loopBoundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
    timer = context.eventLoop.assumeIsolated().scheduleTask(in: startTimeout) { [self] in
      let millis = startTimeout.nanoseconds / 1_000_000
      let action = machine.startTimeoutElapsed(after: "\(millis) ms")
      if case .finish = action {
        logger.warning("a worker stream sent no StartStream in time; stream closed", metadata: ["peer": "\(peer)"])
      }
      perform(action, context: loopBoundContext.value)
    }
  }

  func handlerRemoved(context: ChannelHandlerContext) {
    timer?.cancel()
    timer = nil
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    switch unwrapInboundIn(data) {
    case .headers(let headers):
      if machine.phase == .awaitingHeaders {
        receiveHeaders(headers.headers, context: context)
      }
      if headers.endStream { perform(machine.endOfStreamReceived(), context: context) }
    case .data(let data):
      if case .byteBuffer(let bytes) = data.data {
        machine.dataReceived(bytes)
        readMessages(context: context)
      }
      if data.endStream { perform(machine.endOfStreamReceived(), context: context) }
    default:
      break
    }
  }

  func channelInactive(context: ChannelHandlerContext) {
    timer?.cancel()
    perform(machine.streamClosed(), context: context)
    reportEnded(reason: "worker \(worker?.slot ?? -1)'s connection closed")
    context.fireChannelInactive()
  }

  func errorCaught(context: ChannelHandlerContext, error: any Error) {
    logger.warning("worker stream error: \(LogSafe.escape("\(error)", limit: 200))", metadata: ["peer": "\(peer)"])
    context.close(promise: nil)
  }

  // MARK: - Steps

  private func receiveHeaders(_ headers: HPACKHeaders, context: ChannelHandlerContext) {
    let action = machine.headersReceived(
      method: headers.first(name: ":method"), path: headers.first(name: ":path"),
      contentType: headers.first(name: "content-type"), encoding: headers.first(name: "grpc-encoding"))
    switch action {
    case .accept:
      responseStarted = true
      let response: HPACKHeaders = [
        ":status": "200", "content-type": "application/grpc", "grpc-accept-encoding": "identity",
      ]
      context.writeAndFlush(wrapOutboundOut(.headers(.init(headers: response))), promise: nil)
    case .reject(let status):
      logger.warning(
        "a stream on the worker port was refused: \(LogSafe.escape(status.message, limit: 128))", metadata: ["peer": "\(peer)"])
      finish(status, context: context)
    case .none:
      break
    }
  }

  private func readMessages(context: ChannelHandlerContext) {
    while true {
      switch machine.nextMessage() {
      case .needMoreData:
        return
      case .fail(let status):
        logger.warning(
          "a worker stream broke the framing rules: \(status.message); stream closed", metadata: ["peer": "\(peer)"])
        finish(status, context: context)
        reportEnded(reason: "worker \(worker?.slot ?? -1)'s stream failed: \(status.message)")
        return
      case .message(let bytes):
        let message: AzureFunctionsRpcMessages_StreamingMessage
        do {
          if let response = bytes.withUnsafeReadableBytes(InvocationResponseDecoder.decode) {
            message = response
          } else {
            message = try AzureFunctionsRpcMessages_StreamingMessage(serializedBytes: bytes.readableBytesSpan)
          }
        } catch {
          let status =
            machine.phase == .attached
            ? machine.undecodableMessage() : machine.firstMessageHandled(.undecodable)
          logger.warning(
            "a worker stream failed: a message could not be deserialized as a StreamingMessage; stream closed",
            metadata: ["peer": "\(peer)"])
          if let status { finish(status, context: context) }
          reportEnded(reason: "worker \(worker?.slot ?? -1) sent a message that is not a StreamingMessage")
          return
        }
        if let worker {
          worker.receive(message)
        } else if let status = machine.firstMessageHandled(start(message, context: context)) {
          finish(status, context: context)
          return
        }
      }
    }
  }

  /// Matches the first message to a worker and attaches this stream to it.
  private func start(_ message: AzureFunctionsRpcMessages_StreamingMessage, context: ChannelHandlerContext)
    -> EventStreamStateMachine.FirstMessage
  {
    guard case .startStream(let start) = message.content else {
      logger.warning(
        "a worker stream's first message was not StartStream; stream closed",
        metadata: ["peer": "\(peer)", "message": "\(LogSafe.escape(String(describing: message.content), limit: 80))"])
      return .notStartStream
    }
    let id = LogSafe.escape(start.workerID, limit: 64)
    guard let channel = registry.channel(for: start.workerID) else {
      logger.warning(
        "StartStream with a worker id this host did not issue; stream closed",
        metadata: ["peer": "\(peer)", "workerId": "\(id)"])
      return .unknownWorker
    }
    let connectionPeer = connection?.value.peer ?? .unknown("the stream has no connection")
    if let reason = peerCheck.refusal(of: connectionPeer, for: channel, logger: logger) {
      logger.error(
        "intrusion attempt: a StartStream for worker \(channel.slot) does not come from its launched process (\(LogSafe.escape(reason, limit: 200))); refused, still waiting for the worker",
        metadata: ["peer": "\(peer)"])
      return .notTheLaunchedProcess
    }
    let sink = EventStreamSink(channel: context.channel)
    guard channel.attach(writer: sink) else {
      logger.error(
        "intrusion attempt: a second StartStream for worker \(channel.slot), whose stream is attached; the attached stream is kept and this one refused",
        metadata: ["peer": "\(peer)"])
      return .alreadyAttached
    }
    timer?.cancel()
    timer = nil
    connection?.value.streamAttached()
    worker = channel
    self.sink = sink
    channel.logger.info("worker \(channel.slot) attached its EventStream over \(overUnixSocket ? "a Unix socket" : "TCP")")
    return .attached
  }

  private func perform(_ action: EventStreamStateMachine.EndAction, context: ChannelHandlerContext) {
    switch action {
    case .none, .streamLost:
      break
    case .finish(let status):
      finish(status, context: context)
      reportEnded(reason: "worker \(worker?.slot ?? -1) closed its stream")
    }
  }

  /// Sends what the sink holds, the status (trailers, or a trailers-only response), and closes.
  private func finish(_ status: EventStreamStatus, context: ChannelHandlerContext) {
    timer?.cancel()
    timer = nil
    sink?.finish()
    var trailers: HPACKHeaders = responseStarted ? [:] : [":status": "200", "content-type": "application/grpc"]
    trailers.add(name: "grpc-status", value: String(status.code))
    if !status.message.isEmpty { trailers.add(name: "grpc-message", value: status.encodedMessage) }
    responseStarted = true
    let channel = context.channel
    context.writeAndFlush(wrapOutboundOut(.headers(.init(headers: trailers, endStream: true)))).whenComplete { _ in
      channel.close(promise: nil)
    }
  }

  /// Tells the worker's channel, once, that its stream is gone.
  private func reportEnded(reason: String) {
    guard let worker else { return }
    self.worker = nil
    sink?.finish()
    worker.streamEnded(reason: reason)
  }
}
