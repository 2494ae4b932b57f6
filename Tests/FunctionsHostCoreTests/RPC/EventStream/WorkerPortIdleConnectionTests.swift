import Foundation
import FunctionsRPC
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import Logging
import NIOCore
import Testing

@testable import FunctionsHostCore

/// A connection to the worker port that never opens a worker stream (no bytes, a preface without
/// HEADERS, HEADERS without StartStream) is closed by the host at the start timeout, over TCP and over
/// the Unix socket; a worker's attached connection is not. Raw sockets send the exact bytes.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct WorkerPortIdleConnectionTests {
  static let startTimeout = Duration.milliseconds(300)
  static func closedLine(after timeout: Duration) -> String {
    "attached no worker within the start timeout (\(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000) ms); connection closed"
  }
  static let closedLog = closedLine(after: startTimeout)

  /// A server with one registered worker, a short start timeout, on TCP and a Unix socket.
  struct Server {
    let log = RecordingLogger()
    let registry = WorkerRegistry()
    let worker: WorkerChannel
    let events: AsyncStream<WorkerLifecycle.Event>
    let server: EventStreamServer
    let directory: PrivateSocketDirectory
    let port: Int

    init(startTimeout: Duration = WorkerPortIdleConnectionTests.startTimeout) async throws {
      let (events, sink) = AsyncStream<WorkerLifecycle.Event>.makeStream()
      self.events = events
      worker = WorkerChannel(workerID: "idle-test-worker", slot: 0, logger: log.logger, events: sink)
      registry.register(worker)
      server = EventStreamServer(
        registry: registry, configuration: .defaults { $0.startTimeout = startTimeout },
        logger: log.logger)
      directory = try PrivateSocketDirectory.create()
      port = try #require(try await server.bind(host: "127.0.0.1", port: 0).localAddress?.port)
      _ = try await server.bind(unixSocketPath: directory.socketPath)
    }

    func close() {
      server.close()
      directory.remove()
    }
  }

  static let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)
  static let emptySettings: [UInt8] = [0, 0, 0, 0x04, 0x00, 0, 0, 0, 0]

  /// A HEADERS frame (END_HEADERS) opening stream 1 as an EventStream call, HPACK without Huffman.
  static var eventStreamHeaders: [UInt8] {
    func literal(index: UInt8, _ value: String) -> [UInt8] {
      // Literal without indexing, indexed name (4-bit prefix; every index used here is below 15).
      [index] + [UInt8(value.utf8.count)] + Array(value.utf8)
    }
    var block: [UInt8] = [0x83, 0x86]  // :method POST, :scheme http
    block += literal(index: 4, EventStreamStateMachine.path)  // :path
    block += literal(index: 1, "localhost")  // :authority
    block += [0x0F, 0x10, UInt8("application/grpc".utf8.count)] + Array("application/grpc".utf8)  // content-type (31)
    let length = block.count
    return [UInt8(length >> 16), UInt8((length >> 8) & 0xFF), UInt8(length & 0xFF), 0x01, 0x04, 0, 0, 0, 1] + block
  }

  enum Opening: String, CaseIterable, Sendable {
    case nothing, prefaceAndSettings, headersWithoutStartStream
    var bytes: [UInt8] {
      switch self {
      case .nothing: []
      case .prefaceAndSettings: WorkerPortIdleConnectionTests.preface + WorkerPortIdleConnectionTests.emptySettings
      case .headersWithoutStartStream:
        WorkerPortIdleConnectionTests.preface + WorkerPortIdleConnectionTests.emptySettings
          + WorkerPortIdleConnectionTests.eventStreamHeaders
      }
    }
  }

  @Test(arguments: Opening.allCases)
  func aTCPConnectionThatOpensNoWorkerStreamIsClosed(opening: Opening) async throws {
    let s = try await Server()
    defer { s.close() }
    let socket = try await RawSocket.tcp(port: s.port)
    if !opening.bytes.isEmpty { try await socket.send(opening.bytes) }
    #expect(await socket.readUntilClosed(), "the host closed the connection")
    #expect(await s.log.waitFor(containing: Self.closedLog))
    #expect(s.log.records.count { $0.contains(Self.closedLog) } == 1, "logged once")
    #expect(await s.log.waitFor(containing: "worker connection closed (0 of 128 open)"))
  }

  @Test func aUnixSocketConnectionThatSendsNothingIsClosed() async throws {
    let s = try await Server()
    defer { s.close() }
    let socket = try await RawSocket.unix(path: s.directory.socketPath)
    #expect(await socket.readUntilClosed(), "the host closed the connection")
    #expect(await s.log.waitFor(containing: Self.closedLog))
    #expect(s.log.records.contains { $0.contains(Self.closedLog) && $0.contains("peer=unix:") })
  }

  @Test func theLogLineNamesThePeerButNotTheBytesItSent() async throws {
    let s = try await Server()
    defer { s.close() }
    let socket = try await RawSocket.tcp(port: s.port)
    try await socket.send(Array("GET / HTTP/1.1\r\nX-Forged: \u{1B}[31mERROR\r\n".utf8))
    #expect(await socket.readUntilClosed())
    #expect(await s.log.waitFor { $0.contains("peer=127.0.0.1:") })
    #expect(!s.log.records.contains { $0.contains("X-Forged") || $0.contains("\u{1B}") })
  }

  /// The worker's client must attach within the timeout, so it is longer here (a loaded machine may
  /// take a while to set up a gRPC connection); the stranger's connection is still closed at it.
  @Test func anAttachedWorkersConnectionOutlivesTheStartTimeout() async throws {
    let timeout = Duration.seconds(3)
    let closedLog = Self.closedLine(after: timeout)
    let s = try await Server(startTimeout: timeout)
    defer { s.close() }
    try await withGRPCClient(
      transport: .http2NIOPosix(target: .ipv4(address: "127.0.0.1", port: s.port), transportSecurity: .plaintext)
    ) { client in
      let rpc = AzureFunctionsRpcMessages_FunctionRpc.Client(wrapping: client)
      let (outbox, out) = AsyncStream.makeStream(of: StreamingMessage.self)
      var start = StreamingMessage()
      start.startStream.workerID = "idle-test-worker"
      out.yield(start)
      let request = StreamingClientRequest<StreamingMessage> { writer in
        for await message in outbox { try await writer.write(message) }
      }
      try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask {
          // The worker answers one invocation, then ends its stream.
          try await rpc.eventStream(request: request) { response in
            for try await message in response.messages {
              guard case .invocationRequest(let r) = message.content else { continue }
              var reply = StreamingMessage()
              reply.invocationResponse.invocationID = r.invocationID
              reply.invocationResponse.result.status = .success
              out.yield(reply)
              out.finish()
            }
          }
        }
        #expect(await EventStreamServerLiveTests.next(s.events) { $0 == .streamAttached } != nil)
        // A stranger's idle connection, opened after the worker's: closed at its start timeout, which
        // elapses after the worker connection's would have.
        let idle = try await RawSocket.tcp(port: s.port)
        #expect(await idle.readUntilClosed())
        #expect(await s.log.waitFor(containing: closedLog))
        var invocation = AzureFunctionsRpcMessages_InvocationRequest()
        invocation.invocationID = "after-timeout"
        invocation.functionID = "f"
        let response = try await s.worker.invoke(invocation, functionName: "f")
        #expect(response.result.status == .success, "the worker's connection still serves")
        try await group.waitForAll()
      }
    }
    #expect(s.log.records.count { $0.contains(closedLog) } == 1, "only the stranger's connection was closed")
  }
}
