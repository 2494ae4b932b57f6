import FunctionsTestSupport
import Foundation
import FunctionsHostCore
import Testing

/// The bundled worker behaves the same over gRPC on TCP and gRPC on a Unix socket, and connects where it
/// is told.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct TransportTests {
  /// Which EventStream client the bundled worker runs: its lean h2 client, or grpcio (the library of
  /// Microsoft's worker), which must work against the host's server on TCP and on the Unix socket alike.
  enum Client: String, Sendable, CaseIterable { case h2, grpcio }

  static let cases: [(FunctionsHost.Transport, Client)] =
    FunctionsHost.Transport.allCases.map { ($0, .h2) } + [(.grpc, .grpcio), (.unixSocket, .grpcio)]

  @Test(arguments: cases)
  func sameBehaviourOnEveryTransport(transport: FunctionsHost.Transport, client: Client) async throws {
    let live = try await LiveHost.start(workers: 2) {
      $0.transport = transport
      if client == .grpcio { $0.environment["FUNCTIONS_HOST_WORKER_CLIENT"] = "grpcio" }
    }
    try await live.stoppingAfter {
      let socketLine = await live.logs.first(timeout: .milliseconds(1)) {
        $0.message.contains("listening on unix:")
      }
      #expect((socketLine != nil) == (transport != .grpc))
      if client == .h2 {
        // The lean client really runs (not grpcio standing in because a file or h2 is missing).
        let fallback = await live.logs.first(timeout: .milliseconds(1)) { $0.message.contains("h2 EventStream client is unavailable") }
        #expect(fallback == nil, "\(fallback?.message ?? "")")
      }
      let over = transport == .grpc ? "TCP" : "a Unix socket"
      let attached = await live.logs.first(timeout: .seconds(30)) { $0.message.contains("attached its EventStream over") }
      #expect(attached?.message.hasSuffix(over) == true)

      #expect((try await live.request("GET", "/api/hello?name=Ada")).text == "Hello, Ada!")
      let failed = try await live.request("GET", "/api/fails")
      #expect(failed.status == 500)
      #expect(failed.text.contains("the function failed on purpose"))

      // Logs before the response, tagged with the invocation.
      let response = try await live.request("GET", "/api/logs?marker=t-\(transport.rawValue)")
      let invocationID = response.text
      let record = await live.logs.first(timeout: .seconds(30)) { $0.message.contains("log-marker t-\(transport.rawValue)") }
      #expect(record?.metadata["invocationId"] == invocationID)

      // Many concurrent requests, each answered with its own result.
      try await withThrowingTaskGroup(of: Void.self) { group in
        for i in 0..<40 {
          group.addTask {
            let r = try await live.request("GET", "/api/hello?name=n\(i)")
            #expect(r.text == "Hello, n\(i)!")
          }
        }
        try await group.waitForAll()
      }

      // A 5 MB body both ways.
      let big = Data((0..<(5 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 7) })
      let echo = try await live.request("POST", "/api/echo", body: big)
      #expect(echo.status == 200)
      #expect(echo.json?["length"] as? Int == big.count)
      try await live.stop()
    }
  }
}
