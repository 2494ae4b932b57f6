internal import FunctionsRPC
internal import NIOCore
internal import NIOHTTP2
internal import SwiftProtobuf
internal import Synchronization

/// Writes messages to one EventStream without waiting. Messages written from any thread are framed
/// (flag, length, protobuf) into one shared buffer; the first write of a batch schedules one hop to
/// the event loop, which sends the whole batch as one DATA frame and flushes once. A burst costs one
/// wakeup, one DATA frame (split by HTTP/2 only to fit the peer's window and frame size) and one
/// `writev`.
///
/// Flow control is HTTP/2's: bytes beyond the peer's window wait in NIOHTTP2's outbound buffer
/// until it opens the window, so a message larger than the window still goes through.
final class EventStreamSink: WorkerMessageSink {
  private struct Batch {
    var buffer: ByteBuffer
    var scheduled = false
    var closed = false
  }

  let channel: any Channel
  private let batch: Mutex<Batch>

  init(channel: any Channel) {
    self.channel = channel
    self.batch = Mutex(Batch(buffer: channel.allocator.buffer(capacity: 0)))
  }

  func write(_ message: AzureFunctionsRpcMessages_StreamingMessage) async throws {
    try enqueue(message)
  }

  /// The stream's event loop.
  var eventLoop: (any EventLoop)? { channel.eventLoop }

  /// Writes never wait: ``enqueue(_:)`` batches from any thread.
  var sendsSynchronously: Bool { true }

  /// ``enqueue(_:)``.
  func trySend(_ message: AzureFunctionsRpcMessages_StreamingMessage) throws {
    try enqueue(message)
  }

  /// Frames the message holding `request` into the current batch, encoded straight from the request.
  func trySend(invocation request: AzureFunctionsRpcMessages_InvocationRequest) throws {
    guard let encoder = try InvocationRequestEncoder(request: request) else {
      // Unknown fields: SwiftProtobuf keeps them (the hand encoder would have to re-check them again).
      var message = AzureFunctionsRpcMessages_StreamingMessage()
      message.invocationRequest = request
      let bytes: [UInt8] = try message.serializedBytes()
      return try append(size: bytes.count) { $0.writeBytes(bytes) }
    }
    try append(size: encoder.size) { encoder.write(into: &$0) }
  }

  /// Frames `message` into the current batch (and schedules its flush when it is the first).
  func enqueue(_ message: AzureFunctionsRpcMessages_StreamingMessage) throws {
    if let encoder = try InvocationRequestEncoder(message) {
      return try append(size: encoder.size) { encoder.write(into: &$0) }
    }
    let bytes: [UInt8] = try message.serializedBytes()
    try append(size: bytes.count) { $0.writeBytes(bytes) }
  }

  /// Appends one length-prefixed message of `size` bytes, written by `write`, to the batch.
  private func append(size: Int, _ write: (inout ByteBuffer) -> Void) throws {
    let schedule = try batch.withLock { b throws(FunctionsHostError) -> Bool in
      guard !b.closed else {
        throw FunctionsHostError(code: .workerExited, message: "the worker's stream has ended")
      }
      b.buffer.reserveCapacity(minimumWritableBytes: 5 + size)
      b.buffer.writeInteger(UInt8(0))
      b.buffer.writeInteger(UInt32(truncatingIfNeeded: size))
      write(&b.buffer)  // exactly `size` bytes (the encoder checks its own)
      if b.scheduled { return false }
      b.scheduled = true
      return true
    }
    if schedule {
      channel.eventLoop.execute { self.flush() }
    }
  }

  /// Sends what is batched (on the event loop).
  func flush() {
    let data = batch.withLock { b -> ByteBuffer? in
      b.scheduled = false
      guard b.buffer.readableBytes > 0, !b.closed else { return nil }
      let data = b.buffer
      b.buffer = channel.allocator.buffer(capacity: 0)
      return data
    }
    guard let data else { return }
    channel.writeAndFlush(HTTP2Frame.FramePayload.data(.init(data: .byteBuffer(data))), promise: nil)
  }

  /// Sends what is batched, then refuses further writes (on the event loop, before the trailers).
  func finish() {
    flush()
    batch.withLock { $0.closed = true }
  }
}
