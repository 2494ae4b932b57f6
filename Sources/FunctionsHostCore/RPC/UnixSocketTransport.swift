internal import Foundation
internal import FunctionsRPC
package import Logging
package import NIOCore
internal import NIOPosix
internal import SwiftProtobuf
internal import Synchronization

/// The fast transport between the host and the bundled worker: the same StreamingMessages with the same
/// semantics (StartStream first, then the usual flow), as frames of a 4-byte big-endian length followed by
/// the protobuf bytes, over a Unix domain socket. Used only when enabled and the worker supports it.
package struct UnixSocketTransport: Sendable {
  package let path: String
  let registry: WorkerRegistry
  let logger: Logger

  package init(path: String, registry: WorkerRegistry, logger: Logger) {
    self.path = path
    self.registry = registry
    self.logger = logger
  }

  /// Binds the socket; the returned channel closes when `close()` is called on it.
  package func bind() async throws -> any Channel {
    let registry = self.registry
    let logger = self.logger
    return try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
      .serverChannelOption(.backlog, value: 256)
      .childChannelOption(.maxMessagesPerRead, value: 16)
      .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
          try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(FrameDecoder()))
          try channel.pipeline.syncOperations.addHandler(
            WorkerConnectionHandler(registry: registry, logger: logger))
        }
      }
      .bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true)
      .get()
  }
}

/// Splits the byte stream into length-prefixed frames.
struct FrameDecoder: ByteToMessageDecoder {
  typealias InboundOut = ByteBuffer
  static let maxFrame = Int(Int32.max)

  mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
    guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self) else { return .needMoreData }
    guard Int(length) <= Self.maxFrame else {
      throw FunctionsHostError(code: .protocolViolation, message: "a worker sent a frame of \(length) bytes")
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
  // Event-loop confined.
  private var worker: WorkerChannel? = nil
  private var closed = false

  init(registry: WorkerRegistry, logger: Logger) {
    self.registry = registry
    self.logger = logger
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
      logger.warning("StartStream with a worker id this host did not issue; connection closed")
      context.close(promise: nil)
      return
    }
    guard channel.attach(writer: UnixSocketSink(channel: context.channel)) else {
      logger.warning("a second connection for worker \(channel.slot) was refused")
      context.close(promise: nil)
      return
    }
    worker = channel
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
    logger.warning("worker connection error: \(error)")
    context.close(promise: nil)
  }
}
