import Foundation
import FunctionsRPC
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import NIOCore
import SwiftProtobuf
import Testing

@testable import FunctionsHostCore

/// A worker launched as a process must attach from that process's group, on every endpoint: the
/// EventStream server over TCP (`/proc/net/tcp` and descriptors) and over its Unix socket (SO_PEERCRED),
/// and the raw-frame Unix socket. This test process plays the connecting worker: a channel whose
/// "launched process" is this process's group accepts it; one whose launched process is init refuses it.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct WorkerPeerBindingLiveTests {
  enum Endpoint: String, CaseIterable, Sendable { case tcp, unixSocket }

  /// A server whose one worker channel is bound to the process group `launchedPID`.
  struct Fixture: Sendable {
    let log = RecordingLogger()
    let registry = WorkerRegistry()
    let worker: WorkerChannel
    let server: EventStreamServer
    let directory: PrivateSocketDirectory
    let target: Target

    enum Target: Sendable { case ipv4(Int), unix(String) }

    init(_ endpoint: Endpoint, launchedPID: Int32) async throws {
      worker = WorkerChannel(workerID: "bound-worker", slot: 0, logger: log.logger, bindsToLaunchedProcess: true)
      worker.setPID(launchedPID)
      registry.register(worker)
      server = EventStreamServer(registry: registry, logger: log.logger)
      directory = try PrivateSocketDirectory.create()
      switch endpoint {
      case .tcp:
        let port = try #require(try await server.bind(host: "127.0.0.1", port: 0).localAddress?.port)
        target = .ipv4(port)
      case .unixSocket:
        _ = try await server.bind(unixSocketPath: directory.socketPath)
        target = .unix(directory.socketPath)
      }
    }

    func close() {
      server.close()
      directory.remove()
    }

    /// Sends StartStream with the right id; returns the status the stream ended with (nil: ended OK).
    func startStream() async throws -> RPCError.Code? {
      let resolvable: any ResolvableTarget
      switch target {
      case .ipv4(let port): resolvable = .ipv4(address: "127.0.0.1", port: port)
      case .unix(let path): resolvable = .unixDomainSocket(path: path)
      }
      return try await withGRPCClient(transport: .http2NIOPosix(target: resolvable, transportSecurity: .plaintext)) { client in
        let rpc = AzureFunctionsRpcMessages_FunctionRpc.Client(wrapping: client)
        var start = StreamingMessage()
        start.startStream.workerID = "bound-worker"
        let message = start
        let request = StreamingClientRequest<StreamingMessage> { writer in try await writer.write(message) }
        do {
          try await rpc.eventStream(request: request) { response in for try await _ in response.messages {} }
          return nil
        } catch let error as RPCError {
          return error.code
        }
      }
    }
  }

  @Test(arguments: Endpoint.allCases)
  func theLaunchedProcessGroupAttaches(endpoint: Endpoint) async throws {
    let f = try await Fixture(endpoint, launchedPID: getpgrp())
    defer { f.close() }
    async let ended = f.startStream()
    #expect(await f.log.waitFor(containing: "worker 0 attached its EventStream"))
    f.worker.close(reason: "test over")
    f.server.close()  // ends the stream
    _ = try? await ended
    #expect(!f.log.records.contains { $0.contains("intrusion attempt") })
  }

  @Test(arguments: Endpoint.allCases)
  func anotherProcessGroupIsRefusedAndLogged(endpoint: Endpoint) async throws {
    try #require(getpgrp() != 1, "this test process must not be in init's process group")
    let f = try await Fixture(endpoint, launchedPID: 1)
    defer { f.close() }
    #expect(try await f.startStream() == .permissionDenied)
    #expect(await f.log.waitFor(containing: "intrusion attempt: a StartStream for worker 0 does not come from its launched process"))
    #expect(!f.log.records.contains { $0.contains("attached its EventStream") })
  }

  @Test func aWorkerWhoseProcessHasNotStartedIsNotAttached() async throws {
    let log = RecordingLogger()
    let registry = WorkerRegistry()
    registry.register(WorkerChannel(workerID: "bound-worker", slot: 0, logger: log.logger, bindsToLaunchedProcess: true))
    let server = EventStreamServer(registry: registry, logger: log.logger)
    defer { server.close() }
    let port = try #require(try await server.bind(host: "127.0.0.1", port: 0).localAddress?.port)
    let code = try await withGRPCClient(
      transport: .http2NIOPosix(target: .ipv4(address: "127.0.0.1", port: port), transportSecurity: .plaintext)
    ) { client -> RPCError.Code? in
      let rpc = AzureFunctionsRpcMessages_FunctionRpc.Client(wrapping: client)
      var start = StreamingMessage()
      start.startStream.workerID = "bound-worker"
      let message = start
      do {
        try await rpc.eventStream(request: StreamingClientRequest<StreamingMessage> { try await $0.write(message) }) { response in
          for try await _ in response.messages {}
        }
        return nil
      } catch let error as RPCError {
        return error.code
      }
    }
    #expect(code == .permissionDenied)
    // Before the pid is known, only a process group led by a child of this host may attach.
    #expect(log.records.contains { $0.contains("this host launched") })
  }

  /// The raw-frame transport: a StartStream frame from a process outside the launched group closes the
  /// connection, logged; from the group, the connection stays and the worker is attached.
  @Test(arguments: [true, false])
  func theRawUnixSocketChecksItsPeerToo(fromTheGroup: Bool) async throws {
    try #require(getpgrp() != 1)
    let log = RecordingLogger()
    let registry = WorkerRegistry()
    let (events, sink) = AsyncStream<WorkerLifecycle.Event>.makeStream()
    let worker = WorkerChannel(
      workerID: "raw-worker", slot: 0, logger: log.logger, events: sink, bindsToLaunchedProcess: true)
    worker.setPID(fromTheGroup ? getpgrp() : 1)
    registry.register(worker)
    let directory = try PrivateSocketDirectory.create()
    defer { directory.remove() }
    let listener = try await UnixSocketTransport(path: directory.socketPath, registry: registry, logger: log.logger).bind()
    defer { listener.close(promise: nil) }
    let socket = try await RawSocket.unix(path: directory.socketPath)
    var start = StreamingMessage()
    start.startStream.workerID = "raw-worker"
    let bytes: [UInt8] = try start.serializedBytes()
    let length = UInt32(bytes.count)
    try await socket.send([UInt8(length >> 24), UInt8((length >> 16) & 0xFF), UInt8((length >> 8) & 0xFF), UInt8(length & 0xFF)] + bytes)
    if fromTheGroup {
      for await event in events where event == .streamAttached { break }
      #expect(!log.records.contains { $0.contains("intrusion attempt") })
    } else {
      #expect(await socket.readUntilClosed(), "the host closed the stranger's connection")
      #expect(await log.waitFor(containing: "intrusion attempt: a StartStream for worker 0 does not come from its launched process"))
    }
  }
}
