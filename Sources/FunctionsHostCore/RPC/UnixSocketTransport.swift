internal import Foundation
internal import FunctionsRPC
package import Logging
package import NIOCore
internal import NIOPosix
internal import SwiftProtobuf
internal import Synchronization

/// The raw-frame transport between the host and the bundled worker (`--transport uds-raw`): the same
/// StreamingMessages with the same semantics (StartStream first, then the usual flow), as frames of a
/// 4-byte big-endian length followed by the protobuf bytes, over a Unix domain socket, with the same
/// limits as the EventStream server: a small frame before StartStream, a length over the limit refused
/// before its body is read, and a connection without StartStream closed at the start timeout.
package struct UnixSocketTransport: Sendable {
  package let path: String
  let registry: WorkerRegistry
  let logger: Logger
  let limits: EventStreamStateMachine.Limits
  let startTimeout: TimeAmount

  package init(
    path: String, registry: WorkerRegistry, logger: Logger, maxMessageSize: Int = Int(Int32.max),
    maxMessageSizeBeforeStart: Int = 64 * 1024, startTimeout: Duration = .seconds(60)
  ) {
    self.path = path
    self.registry = registry
    self.logger = logger
    self.limits = .init(beforeStart: min(maxMessageSizeBeforeStart, maxMessageSize), afterStart: maxMessageSize)
    self.startTimeout = .nanoseconds(
      Int64(startTimeout.components.seconds) * 1_000_000_000 + startTimeout.components.attoseconds / 1_000_000_000)
  }

  /// Binds the socket; the returned channel closes when `close()` is called on it.
  package func bind() async throws -> any Channel {
    let registry = self.registry
    let logger = self.logger
    let limits = self.limits
    let startTimeout = self.startTimeout
    return try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
      .serverChannelOption(.backlog, value: 256)
      .childChannelOption(.maxMessagesPerRead, value: 16)
      .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
          let phase = RawConnectionPhase()
          try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(FrameDecoder(limits: limits, phase: phase)))
          try channel.pipeline.syncOperations.addHandler(
            WorkerConnectionHandler(registry: registry, phase: phase, startTimeout: startTimeout, logger: logger))
        }
      }
      .bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true)
      .get()
  }
}

/// Whether a raw connection is attached to a worker (event-loop confined; shared by its decoder and handler).
final class RawConnectionPhase: @unchecked Sendable {
  var attached = false
}

/// Splits the byte stream into length-prefixed frames; a length over the phase's limit is refused from
/// its four bytes, before any of the body is buffered.
struct FrameDecoder: ByteToMessageDecoder {
  typealias InboundOut = ByteBuffer
  let limits: EventStreamStateMachine.Limits
  let phase: RawConnectionPhase

  mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
    guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self) else { return .needMoreData }
    let limit = phase.attached ? limits.afterStart : limits.beforeStart
    guard Int(length) <= limit else {
      throw FunctionsHostError(
        code: .protocolViolation,
        message: "a worker connection sent a frame of \(length) bytes, over the limit of \(limit) bytes\(phase.attached ? "" : " before StartStream")")
    }
    guard buffer.readableBytes >= 4 + Int(length) else { return .needMoreData }
    buffer.moveReaderIndex(forwardBy: 4)
    let frame = buffer.readSlice(length: Int(length))!
    context.fireChannelRead(Self.wrapInboundOut(frame))
    return .continue
  }
}

/// Writes messages as frames on a connection without waiting. Frames written from any thread are
/// gathered and handed to the event loop in one hop and one flush, so a burst costs one wakeup and
/// one `writev`, not one per message.
final class UnixSocketSink: WorkerMessageSink {
  private struct Batch {
    var frames: [ByteBuffer] = []
    var scheduled = false
  }
  let channel: any Channel
  private let batch = Mutex(Batch())

  init(channel: any Channel) {
    self.channel = channel
  }

  func write(_ message: AzureFunctionsRpcMessages_StreamingMessage) async throws {
    let bytes: [UInt8] = try message.serializedBytes()
    var buffer = channel.allocator.buffer(capacity: bytes.count + 4)
    buffer.writeInteger(UInt32(bytes.count))
    buffer.writeBytes(bytes)
    let schedule = batch.withLock { b -> Bool in
      b.frames.append(buffer)
      if b.scheduled { return false }
      b.scheduled = true
      return true
    }
    if schedule {
      channel.eventLoop.execute { self.flush() }
    }
  }

  private func flush() {
    let frames = batch.withLock { b -> [ByteBuffer] in
      b.scheduled = false
      defer { b.frames.removeAll(keepingCapacity: true) }
      return b.frames
    }
    for frame in frames { channel.write(frame, promise: nil) }
    channel.flush()
  }
}

/// One worker connection: the first frame must be StartStream with a worker id this host issued.
final class WorkerConnectionHandler: ChannelInboundHandler, @unchecked Sendable {
  typealias InboundIn = ByteBuffer

  private let registry: WorkerRegistry
  private let logger: Logger
  private let phase: RawConnectionPhase
  private let startTimeout: TimeAmount
  // Event-loop confined.
  private var worker: WorkerChannel? = nil
  private var closed = false
  private var timer: Scheduled<Void>? = nil
  private var peer: WorkerPeer = .unknown("the connection's peer is not known yet")
  private let peerCheck = WorkerPeerCheck()

  init(registry: WorkerRegistry, phase: RawConnectionPhase, startTimeout: TimeAmount, logger: Logger) {
    self.registry = registry
    self.phase = phase
    self.startTimeout = startTimeout
    self.logger = logger
  }

  func handlerAdded(context: ChannelHandlerContext) {
    let channel = context.channel
    WorkerPeer.learn(from: channel) { [self] peer in self.peer = peer }
    timer = context.eventLoop.assumeIsolated().scheduleTask(in: startTimeout) { [self] in
      guard worker == nil else { return }
      logger.warning("a worker connection sent no StartStream in time; connection closed")
      channel.close(promise: nil)
    }
  }

  func handlerRemoved(context: ChannelHandlerContext) {
    timer?.cancel()
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    let frame = unwrapInboundIn(data)
    let message: AzureFunctionsRpcMessages_StreamingMessage
    do {
      message = try AzureFunctionsRpcMessages_StreamingMessage(serializedBytes: frame.readableBytesSpan)
    } catch {
      logger.warning("a worker sent a frame that is not a StreamingMessage; connection closed")
      context.close(promise: nil)
      return
    }
    if let worker {
      worker.receive(message)
      return
    }
    guard case .startStream(let start) = message.content else {
      logger.warning("a worker connection's first message was not StartStream; connection closed")
      context.close(promise: nil)
      return
    }
    guard let channel = registry.channel(for: start.workerID) else {
      logger.warning(
        "StartStream with a worker id this host did not issue; connection closed",
        metadata: ["workerId": "\(LogSafe.escape(start.workerID, limit: 64))"])
      context.close(promise: nil)
      return
    }
    if let reason = peerCheck.refusal(of: peer, for: channel, logger: logger) {
      logger.error(
        "intrusion attempt: a StartStream for worker \(channel.slot) does not come from its launched process (\(LogSafe.escape(reason, limit: 200))); connection closed, still waiting for the worker")
      context.close(promise: nil)
      return
    }
    guard channel.attach(writer: UnixSocketSink(channel: context.channel)) else {
      logger.error(
        "intrusion attempt: a second StartStream for worker \(channel.slot), whose stream is attached; the attached stream is kept and this connection closed")
      context.close(promise: nil)
      return
    }
    timer?.cancel()
    timer = nil
    worker = channel
    phase.attached = true
  }

  func channelInactive(context: ChannelHandlerContext) {
    if let worker, !closed {
      closed = true
      // The worker's lifecycle names the exit (code or signal) if the process is ending.
      worker.streamEnded(reason: "worker \(worker.slot) closed its connection")
    }
    context.fireChannelInactive()
  }

  func errorCaught(context: ChannelHandlerContext, error: any Error) {
    logger.warning("worker connection error: \(LogSafe.escape("\(error)", limit: 200))")
    context.close(promise: nil)
  }
}
