import Foundation
import FunctionsRPC
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import Logging
import NIOCore
import NIOPosix
import Testing

@testable import FunctionsHostCore

/// The EventStream server on real sockets with a stock gRPC client (grpc-swift), over TCP and over a
/// Unix socket in a private directory.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct EventStreamServerLiveTests {
  enum Endpoint: String, CaseIterable, Sendable { case tcp, unixSocket }

  /// A server with one registered worker channel, listening on `endpoint`.
  struct Fixture {
    let registry = WorkerRegistry()
    let log = RecordingLogger()
    let server: EventStreamServer
    let worker: WorkerChannel
    let events: AsyncStream<WorkerLifecycle.Event>
    let directory: PrivateSocketDirectory
    let target: Target

    enum Target { case ipv4(Int), unix(String) }

    init(_ endpoint: Endpoint) async throws {
      let (events, sink) = AsyncStream<WorkerLifecycle.Event>.makeStream()
      self.events = events
      worker = WorkerChannel(workerID: "live-worker", slot: 0, logger: log.logger, events: sink)
      registry.register(worker)
      server = EventStreamServer(registry: registry, logger: log.logger)
      directory = try PrivateSocketDirectory.create()
      switch endpoint {
      case .tcp:
        let listener = try await server.bind(host: "127.0.0.1", port: 0)
        target = .ipv4(listener.localAddress!.port!)
      case .unixSocket:
        _ = try await server.bind(unixSocketPath: directory.socketPath)
        try directory.restrictSocket()
        target = .unix(directory.socketPath)
      }
    }

    func close() {
      server.close()
      directory.remove()
    }

    /// Runs `body` with a gRPC client connected to the server.
    func withClient<R: Sendable>(_ body: (AzureFunctionsRpcMessages_FunctionRpc.Client<HTTP2ClientTransport.Posix>) async throws -> R)
      async throws -> R
    {
      let resolvable: any ResolvableTarget
      switch target {
      case .ipv4(let port): resolvable = .ipv4(address: "127.0.0.1", port: port)
      case .unix(let path): resolvable = .unixDomainSocket(path: path)
      }
      return try await withGRPCClient(
        transport: .http2NIOPosix(
          target: resolvable, transportSecurity: .plaintext,
          config: .defaults { $0.http2.targetWindowSize = 8 << 20 })
      ) { client in
        try await body(AzureFunctionsRpcMessages_FunctionRpc.Client(wrapping: client))
      }
    }
  }

  static var options: CallOptions {
    var options = CallOptions.defaults
    options.maxRequestMessageBytes = 1 << 30
    options.maxResponseMessageBytes = 1 << 30
    return options
  }

  /// Waits for the first event matching `predicate`.
  static func next(
    _ events: AsyncStream<WorkerLifecycle.Event>, where predicate: (WorkerLifecycle.Event) -> Bool
  ) async -> WorkerLifecycle.Event? {
    for await event in events where predicate(event) { return event }
    return nil
  }

  @Test(arguments: Endpoint.allCases)
  func twentyMebibytesEachWay(endpoint: Endpoint) async throws {
    let f = try await Fixture(endpoint)
    defer { f.close() }
    let size = 20 << 20
    let payload = Data((0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31) })
    try await f.withClient { rpc in
      let (outbox, out) = AsyncStream.makeStream(of: StreamingMessage.self)
      var start = StreamingMessage()
      start.startStream.workerID = "live-worker"
      out.yield(start)
      let request = StreamingClientRequest<StreamingMessage> { writer in
        for await message in outbox { try await writer.write(message) }
      }
      try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask {
          // The worker: echoes the invocation's input as its return value, then ends its stream.
          try await rpc.eventStream(request: request, options: Self.options) { response in
            for try await message in response.messages {
              guard case .invocationRequest(let r) = message.content else { continue }
              var reply = StreamingMessage()
              reply.invocationResponse.invocationID = r.invocationID
              reply.invocationResponse.result.status = .success
              reply.invocationResponse.returnValue.bytes = r.inputData.first?.data.bytes ?? Data()
              out.yield(reply)
              out.finish()
            }
          }
        }
        #expect(await Self.next(f.events) { $0 == .streamAttached } != nil)
        var invocation = AzureFunctionsRpcMessages_InvocationRequest()
        invocation.invocationID = "big"
        invocation.functionID = "f"
        var binding = AzureFunctionsRpcMessages_ParameterBinding()
        binding.name = "req"
        binding.data.bytes = payload
        invocation.inputData = [binding]
        let response = try await f.worker.invoke(invocation, functionName: "big")
        #expect(response.returnValue.bytes == payload)
        try await group.waitForAll()  // the call ended with grpc-status 0
      }
    }
    guard case .streamEnded = await Self.next(f.events, where: { if case .streamEnded = $0 { true } else { false } }) else {
      Issue.record("the channel was not told that the stream ended")
      return
    }
  }

  @Test func aStrangerWithAGuessedWorkerIDGetsPermissionDenied() async throws {
    let f = try await Fixture(.unixSocket)
    defer { f.close() }
    let code = try await f.withClient { rpc -> RPCError.Code? in
      var message = StreamingMessage()
      message.startStream.workerID = "guessed"
      let start = message
      let request = StreamingClientRequest<StreamingMessage> { writer in try await writer.write(start) }
      do {
        try await rpc.eventStream(request: request) { response in for try await _ in response.messages {} }
        return nil
      } catch let error as RPCError {
        return error.code
      }
    }
    #expect(code == .permissionDenied)
  }

  @Test func theSocketIsPrivateEvenUnderUmaskZero() async throws {
    let previous = umask(0)
    let directory: PrivateSocketDirectory
    do {
      directory = try PrivateSocketDirectory.create()
    } catch {
      umask(previous)
      throw error
    }
    let server = EventStreamServer(registry: WorkerRegistry(), logger: RecordingLogger().logger)
    defer {
      server.close()
      directory.remove()
    }
    do {
      _ = try await server.bind(unixSocketPath: directory.socketPath)
      try directory.restrictSocket()
    } catch {
      umask(previous)
      throw error
    }
    umask(previous)
    var info = stat()
    #expect(stat(directory.path, &info) == 0)
    #expect(info.st_mode & 0o777 == 0o700)
    #expect(info.st_uid == getuid())
    #expect(stat(directory.socketPath, &info) == 0)
    #expect(info.st_mode & 0o777 == 0o600)
    #expect(info.st_mode & S_IFMT == S_IFSOCK)
  }

  /// Every wait here is on a server-side event (its log records of the connection count) and gives up
  /// at the time limit (cancellation), so a broken limit fails the test instead of hanging it.
  @Test(.timeLimit(.minutes(1)))
  func connectionsBeyondTheLimitAreClosedAtOnce() async throws {
    let log = RecordingLogger()
    let server = EventStreamServer(
      registry: WorkerRegistry(), configuration: .defaults { $0.maxConnections = 2 }, logger: log.logger)
    defer { server.close() }
    let listener = try await server.bind(host: "127.0.0.1", port: 0)
    let port = try #require(listener.localAddress?.port)
    let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
    var open: [any Channel] = []
    defer { for channel in open { channel.close(promise: nil) } }
    for _ in 0..<2 { open.append(try await bootstrap.connect(host: "127.0.0.1", port: port).get()) }
    #expect(await log.waitFor(containing: "worker connection accepted (2 of 2 open)"))
    let third = try await bootstrap.connect(host: "127.0.0.1", port: port).get()
    #expect(await log.waitFor(containing: "worker connection refused: 2 connections are open already"))
    #expect(await third.closeFuture.completedUnlessCancelled(), "the server closed the refused connection")
    for channel in open { #expect(channel.isActive) }
    #expect(server.openConnections == 2)
    // A closed connection frees its place (once the server has seen it close).
    try await open.removeFirst().close()
    #expect(await log.waitFor(containing: "worker connection closed (1 of 2 open)"))
    let fourth = try await bootstrap.connect(host: "127.0.0.1", port: port).get()
    open.append(fourth)
    #expect(await log.waitFor(containing: "worker connection accepted (2 of 2 open)", count: 2))
    #expect(log.records.count { $0.contains("worker connection refused") } == 1)
    #expect(fourth.isActive)
  }
}
