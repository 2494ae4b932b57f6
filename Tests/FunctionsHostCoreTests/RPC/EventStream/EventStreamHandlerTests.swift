import FunctionsRPC
import Logging
import NIOCore
import NIOEmbedded
import NIOHPACK
import NIOHTTP2
import SwiftProtobuf
import Synchronization
import Testing

@testable import FunctionsHostCore

/// One EventStream on an embedded channel: the handler between HTTP/2 stream frames and a worker's
/// channel, with the embedded event loop's clock standing in for time.
@Suite struct EventStreamHandlerTests {
  struct Fixture {
    let registry = WorkerRegistry()
    let log = RecordingLogger()
    let worker: WorkerChannel
    let startTimeout = TimeAmount.seconds(5)

    init(workerID: String = "worker-1") {
      worker = WorkerChannel(workerID: workerID, slot: 3, logger: log.logger)
      registry.register(worker)
    }

    /// A new stream channel with the handler.
    func stream() throws -> EmbeddedChannel {
      let channel = EmbeddedChannel()
      try channel.pipeline.syncOperations.addHandler(
        EventStreamHandler(
          registry: registry, limits: .init(beforeStart: 64 * 1024, afterStart: 64 << 20),
          startTimeout: startTimeout, logger: log.logger))
      try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
      #expect(channel.isActive)
      return channel
    }
  }

  static let requestHeaders: HPACKHeaders = [
    ":method": "POST", ":scheme": "http", ":authority": "localhost", ":path": EventStreamStateMachine.path,
    "content-type": "application/grpc", "te": "trailers",
  ]

  static func start(_ workerID: String) -> StreamingMessage {
    var m = StreamingMessage()
    m.startStream.workerID = workerID
    return m
  }

  static func log(_ text: String) -> StreamingMessage {
    var m = StreamingMessage()
    m.rpcLog.message = text
    m.rpcLog.level = .information
    return m
  }

  /// The gRPC framing of `messages`, back to back.
  static func frames(_ messages: [StreamingMessage]) throws -> ByteBuffer {
    var buffer = ByteBuffer()
    for m in messages {
      let bytes: [UInt8] = try m.serializedBytes()
      buffer.writeInteger(UInt8(0))
      buffer.writeInteger(UInt32(bytes.count))
      buffer.writeBytes(bytes)
    }
    return buffer
  }

  static func data(_ buffer: ByteBuffer, endStream: Bool = false) -> HTTP2Frame.FramePayload {
    .data(.init(data: .byteBuffer(buffer), endStream: endStream))
  }

  /// Opens the stream (request headers) and sends `messages` in one DATA frame.
  static func open(_ channel: EmbeddedChannel, sending messages: [StreamingMessage]) throws {
    try channel.writeInbound(HTTP2Frame.FramePayload.headers(.init(headers: requestHeaders)))
    if !messages.isEmpty { try channel.writeInbound(data(try frames(messages))) }
  }

  /// Every frame the handler wrote.
  static func written(_ channel: EmbeddedChannel) throws -> [HTTP2Frame.FramePayload] {
    var out: [HTTP2Frame.FramePayload] = []
    while let frame = try channel.readOutbound(as: HTTP2Frame.FramePayload.self) { out.append(frame) }
    return out
  }

  /// The grpc-status of the last HEADERS frame that ends the stream, if any.
  static func status(in frames: [HTTP2Frame.FramePayload]) -> String? {
    for frame in frames.reversed() {
      if case .headers(let h) = frame, h.endStream { return h.headers.first(name: "grpc-status") }
    }
    return nil
  }

  /// The messages in the DATA frames written.
  static func messages(in frames: [HTTP2Frame.FramePayload]) throws -> [[StreamingMessage]] {
    try frames.compactMap { frame -> [StreamingMessage]? in
      guard case .data(let d) = frame, case .byteBuffer(var b) = d.data else { return nil }
      var out: [StreamingMessage] = []
      while b.readableBytes > 0 {
        _ = b.readInteger(as: UInt8.self)
        let length = Int(b.readInteger(as: UInt32.self)!)
        out.append(try StreamingMessage(serializedBytes: Array(b.readBytes(length: length)!)))
      }
      return out
    }
  }

  @Test func manyMessagesInOneDataFrameReachTheWorkerInOrder() throws {
    let f = Fixture()
    let channel = try f.stream()
    let logs = (0..<20).map { Self.log("line \($0)") }
    try Self.open(channel, sending: [Self.start("worker-1")] + logs)
    #expect(f.worker.state.withLock { $0.streamAttached })
    let lines = f.log.records.filter { $0.contains("line ") }
    #expect(lines.count == 20)
    #expect(lines.first?.contains("line 0") == true && lines.last?.contains("line 19") == true)
    let headers = try Self.written(channel)
    guard case .headers(let h) = headers.first else {
      Issue.record("no response headers")
      return
    }
    #expect(h.headers.first(name: ":status") == "200")
    #expect(h.headers.first(name: "content-type") == "application/grpc")
  }

  @Test func aMessageSplitAcrossDataFramesIsDeliveredWhole() throws {
    let f = Fixture()
    let channel = try f.stream()
    try Self.open(channel, sending: [Self.start("worker-1")])
    let bytes = try Self.frames([Self.log(String(repeating: "x", count: 100_000))])
    var offset = 0
    while offset < bytes.readableBytes {
      let n = min(16_384, bytes.readableBytes - offset)
      try channel.writeInbound(Self.data(bytes.getSlice(at: offset, length: n)!))
      offset += n
    }
    #expect(f.log.records.contains { $0.contains(String(repeating: "x", count: 100_000)) })
  }

  @Test func writesFromOneTickGoOutAsOneDataFrame() throws {
    let f = Fixture()
    let channel = try f.stream()
    try Self.open(channel, sending: [Self.start("worker-1")])
    _ = try Self.written(channel)
    let sink = try #require(f.worker.state.withLock { $0.writer } as? EventStreamSink)
    for i in 0..<5 { try sink.enqueue(Self.log("out \(i)")) }
    #expect(try Self.written(channel).isEmpty)  // nothing before the loop turns
    channel.embeddedEventLoop.run()
    let frames = try Self.written(channel)
    let batches = try Self.messages(in: frames)
    #expect(batches.count == 1)
    #expect(batches.first?.map(\.rpcLog.message) == (0..<5).map { "out \($0)" })
  }

  @Test func aStreamWithoutStartStreamIsClosedAtTheStartTimeout() throws {
    let f = Fixture()
    let channel = try f.stream()
    try Self.open(channel, sending: [])
    channel.embeddedEventLoop.advanceTime(by: f.startTimeout - .milliseconds(1))
    #expect(channel.isActive)
    channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
    #expect(Self.status(in: try Self.written(channel)) == "4")
    #expect(!channel.isActive)
  }

  @Test func anAttachedStreamOutlivesTheStartTimeout() throws {
    let f = Fixture()
    let channel = try f.stream()
    try Self.open(channel, sending: [Self.start("worker-1")])
    channel.embeddedEventLoop.advanceTime(by: f.startTimeout * 2)
    #expect(channel.isActive)
    #expect(Self.status(in: try Self.written(channel)) == nil)
  }

  @Test func aLargeFirstMessageIsRefusedFromItsPrefix() throws {
    let f = Fixture()
    let channel = try f.stream()
    try channel.writeInbound(HTTP2Frame.FramePayload.headers(.init(headers: Self.requestHeaders)))
    var prefix = ByteBuffer()
    prefix.writeInteger(UInt8(0))
    prefix.writeInteger(UInt32(400 << 20))
    try channel.writeInbound(Self.data(prefix))
    #expect(Self.status(in: try Self.written(channel)) == "8")
    #expect(!channel.isActive)
  }

  @Test func aSecondStartStreamForAnAttachedWorkerIsLoggedAsAnIntrusionAndTheFirstStreamKept() throws {
    let f = Fixture()
    let first = try f.stream()
    try Self.open(first, sending: [Self.start("worker-1")])
    let intruder = try f.stream()
    try Self.open(intruder, sending: [Self.start("worker-1")])
    #expect(Self.status(in: try Self.written(intruder)) == "6")
    #expect(!intruder.isActive)
    #expect(f.log.records.contains { $0.hasPrefix("error") && $0.contains("intrusion attempt") })

    // The worker's messages still arrive on the first stream, and the host's go out there.
    try first.writeInbound(Self.data(try Self.frames([Self.log("still here")])))
    #expect(f.log.records.contains { $0.contains("still here") })
    _ = try Self.written(first)
    let sink = try #require(f.worker.state.withLock { $0.writer } as? EventStreamSink)
    try sink.enqueue(Self.log("to the real worker"))
    first.embeddedEventLoop.run()
    #expect(try Self.messages(in: Self.written(first)).first?.first?.rpcLog.message == "to the real worker")
    #expect(first.isActive)
  }

  @Test func anUnknownWorkerIDIsRefusedAndLoggedEscaped() throws {
    let f = Fixture()
    let channel = try f.stream()
    try Self.open(channel, sending: [Self.start("guess\n2026-01-01 ERROR forged\u{1B}[31m")])
    #expect(Self.status(in: try Self.written(channel)) == "7")
    let line = try #require(f.log.records.first { $0.contains("did not issue") })
    #expect(!line.contains("\n") && !line.contains("\u{1B}"))
    #expect(line.contains("guess\\n2026-01-01 ERROR forged\\u{1b}[31m"))
  }

  @Test func aFirstMessageOtherThanStartStreamIsRefused() throws {
    let f = Fixture()
    let channel = try f.stream()
    try Self.open(channel, sending: [Self.log("hello")])
    #expect(Self.status(in: try Self.written(channel)) == "9")
    #expect(!f.worker.state.withLock { $0.streamAttached })
  }

  @Test func theWorkerEndingItsStreamGetsTrailersAndTellsTheChannel() throws {
    let f = Fixture()
    let channel = try f.stream()
    try Self.open(channel, sending: [Self.start("worker-1")])
    #expect(f.worker.state.withLock { $0.writer } != nil)
    try channel.writeInbound(Self.data(ByteBuffer(), endStream: true))
    #expect(Self.status(in: try Self.written(channel)) == "0")
    #expect(f.worker.state.withLock { $0.writer } == nil)
  }
}
