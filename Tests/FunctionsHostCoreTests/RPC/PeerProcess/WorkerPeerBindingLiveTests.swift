import Foundation
import FunctionsRPC
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import NIOCore
import SwiftProtobuf
import Testing

@testable import FunctionsHostCore

/// A worker launched as a process must attach from that process's group, on every endpoint: the
/// EventStream server over TCP (`/proc/net/tcp` and descriptors) and over its Unix socket (SO_PEERCRED).
/// This test process plays the connecting worker: a channel whose
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
}
