import FunctionsRPC
import NIOCore
import NIOEmbedded
import SwiftProtobuf
import Testing

@testable import FunctionsHostCore

/// The raw-frame transport keeps the EventStream's limits: a small frame before StartStream (refused from
/// its length), and a connection without StartStream closed at the start timeout.
@Suite struct UnixSocketTransportTests {
  static func connection(_ log: RecordingLogger, registry: WorkerRegistry = WorkerRegistry()) throws -> EmbeddedChannel {
    let channel = EmbeddedChannel()
    let phase = RawConnectionPhase()
    try channel.pipeline.syncOperations.addHandler(
      ByteToMessageHandler(FrameDecoder(limits: .init(beforeStart: 64 * 1024, afterStart: 1 << 30), phase: phase)))
    try channel.pipeline.syncOperations.addHandler(
      WorkerConnectionHandler(registry: registry, phase: phase, startTimeout: .seconds(5), logger: log.logger))
    try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
    return channel
  }

  @Test func aLargeLengthBeforeStartStreamClosesTheConnectionFromItsPrefix() throws {
    let log = RecordingLogger()
    let channel = try Self.connection(log)
    var prefix = ByteBuffer()
    prefix.writeInteger(UInt32(400 << 20))
    try channel.writeInbound(prefix)
    #expect(!channel.isActive)
    #expect(log.records.contains { $0.contains("over the limit of 65536 bytes before StartStream") })
  }

  @Test func aStartStreamOpensTheWorkersLimit() throws {
    let log = RecordingLogger()
    let registry = WorkerRegistry()
    let worker = WorkerChannel(workerID: "w", slot: 0, logger: log.logger)
    registry.register(worker)
    let channel = try Self.connection(log, registry: registry)
    var start = StreamingMessage()
    start.startStream.workerID = "w"
    let bytes: [UInt8] = try start.serializedBytes()
    var frame = ByteBuffer()
    frame.writeInteger(UInt32(bytes.count))
    frame.writeBytes(bytes)
    frame.writeInteger(UInt32(1 << 20))  // a 1 MiB frame follows: allowed once attached
    try channel.writeInbound(frame)
    #expect(channel.isActive)
    channel.embeddedEventLoop.advanceTime(by: .seconds(10))
    #expect(channel.isActive)
  }

  @Test func aConnectionWithoutStartStreamIsClosedAtTheStartTimeout() throws {
    let log = RecordingLogger()
    let channel = try Self.connection(log)
    channel.embeddedEventLoop.advanceTime(by: .milliseconds(4_999))
    #expect(channel.isActive)
    channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
    #expect(!channel.isActive)
    #expect(log.records.contains { $0.contains("no StartStream in time") })
  }
}
