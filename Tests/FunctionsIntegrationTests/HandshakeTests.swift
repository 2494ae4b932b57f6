import FunctionsTestSupport
import Foundation
import FunctionsHostCore
import FunctionsRPC
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import Testing

/// A stranger on the worker port cannot take a worker's place, and the host keeps serving.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct HandshakeTests {
  /// Opens an EventStream, sends `first`, and returns the status the host ends the stream with.
  static func rogueStream(port: Int, first: AzureFunctionsRpcMessages_StreamingMessage) async throws -> RPCError.Code? {
    try await withGRPCClient(
      transport: .http2NIOPosix(target: .ipv4(address: "127.0.0.1", port: port), transportSecurity: .plaintext)
    ) { client in
      let rpc = AzureFunctionsRpcMessages_FunctionRpc.Client(wrapping: client)
      let request = StreamingClientRequest<AzureFunctionsRpcMessages_StreamingMessage> { writer in
        try await writer.write(first)
      }
      do {
        try await rpc.eventStream(request: request) { response in
          for try await _ in response.messages {}
        }
        return nil
      } catch let error as RPCError {
        return error.code
      }
    }
  }

  @Test func unknownWorkerIDAndWrongFirstMessageAreRefused() async throws {
    // The TCP endpoint: open with the grpc transport (with the default one the bundled worker uses the
    // Unix socket and no TCP port is open at all; see `noTCPEndpointWhenEveryWorkerUsesTheUnixSocket`).
    let live = try await LiveHost.start(configure: { $0.transport = .grpc })
    try await live.stoppingAfter {
      let rpcPort = try await live.host.rpcPort()
      #expect(rpcPort > 0)

      var start = AzureFunctionsRpcMessages_StreamingMessage()
      var body = AzureFunctionsRpcMessages_StartStream()
      body.workerID = "0123456789abcdef-guessed"
      start.startStream = body
      let refused = try await Self.rogueStream(port: rpcPort, first: start)
      #expect(refused == .permissionDenied)
      let logged = await live.logs.first(timeout: .seconds(30)) { $0.message.contains("did not issue") }
      #expect(logged != nil)

      var notStart = AzureFunctionsRpcMessages_StreamingMessage()
      notStart.workerStatusResponse = AzureFunctionsRpcMessages_WorkerStatusResponse()
      let wrongFirst = try await Self.rogueStream(port: rpcPort, first: notStart)
      #expect(wrongFirst == .failedPrecondition)

      // The real worker is unaffected.
      let hello = try await live.request("GET", "/api/hello?name=Ada")
      #expect(hello.text == "Hello, Ada!")
      try await live.stop()
    }
  }

  @Test func noTCPEndpointWhenEveryWorkerUsesTheUnixSocket() async throws {
    let live = try await LiveHost.start()
    try await live.stoppingAfter {
      let port = try await live.host.rpcPort()
      #expect(port == 0)
      let messages = live.logs.records.map(\.message)
      #expect(messages.contains { $0.contains("worker gRPC endpoint listening on unix:") })
      #expect(!messages.contains { $0.contains("worker gRPC endpoint listening on 127.0.0.1:") })
      let hello = try await live.request("GET", "/api/hello?name=uds")
      #expect(hello.status == 200)
    }
  }
}
