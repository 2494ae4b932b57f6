import Foundation
import FunctionsHostCore
import Logging
import ServiceLifecycle
import Testing

@testable import FunctionsHostHTTP

/// Requests the front door refuses before they reach a function, and connections it closes: checked on
/// a live socket with requests written by hand.
@Suite("HTTP/1 request guard (live sockets)")
struct HTTP1RequestGuardTests {
  private func withFrontDoor(
    _ configure: @escaping (inout HTTPFrontDoor.Configuration) -> Void = { _ in },
    _ body: (Int) async throws -> Void
  ) async throws {
    let stub = StubDispatcher(functions: [httpFunction("hello"), httpFunction("files", route: "files/{*rest}")])
    let frontDoor = HTTPFrontDoor(
      dispatcher: stub,
      configuration: .defaults {
        $0.port = 0
        configure(&$0)
      },
      logger: quietLogger)
    let group = ServiceGroup(services: [frontDoor], logger: quietLogger)
    try await withThrowingTaskGroup(of: Void.self) { tasks in
      tasks.addTask { try await group.run() }
      let port = try await frontDoor.listeningAddress.port
      try await body(port)
      await group.triggerGracefulShutdown()
      try await tasks.waitForAll()
    }
  }

  @Test(arguments: [
    ("GET /api/hello HTTP/1.1\r\n\r\n", "400", "needs a Host header"),
    ("GET /api/hello HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", "400", "one Host header"),
    ("GET /api/hello HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", "400", "at most one Host header"),
    ("POST /api/hello HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", "501",
     "Transfer-Encoding 'gzip, chunked'"),
  ])
  func badHeadsAreRefusedAndTheConnectionClosed(request: String, status: String, message: String) async throws {
    try await withFrontDoor { port in
      let socket = try RawSocket(port: port)
      defer { socket.close() }
      socket.send(request)
      let (response, closed) = await socket.readToEnd()
      #expect(response.hasPrefix("HTTP/1.1 \(status)"), "\(response)")
      #expect(response.contains(message))
      #expect(closed)
    }
  }

  @Test func http10WithoutKeepAliveIsClosedAfterItsResponse() async throws {
    try await withFrontDoor { port in
      let socket = try RawSocket(port: port)
      defer { socket.close() }
      socket.send("GET /api/hello HTTP/1.0\r\n\r\n")  // Host is optional in HTTP/1.0
      let (response, closed) = await socket.readToEnd()
      #expect(response.hasPrefix("HTTP/1.1 200"))
      #expect(response.lowercased().contains("connection: close"))
      #expect(response.hasSuffix("ok:hello"))
      #expect(closed)
    }
  }

  @Test func aGoodRequestAfterAPipelinedOneStillGetsItsAnswerBeforeARefusal() async throws {
    try await withFrontDoor { port in
      let socket = try RawSocket(port: port)
      defer { socket.close() }
      socket.send("GET /api/hello HTTP/1.1\r\nHost: a\r\n\r\nGET /api/hello HTTP/1.1\r\n\r\n")
      let (response, closed) = await socket.readToEnd()
      let first = try #require(response.range(of: "HTTP/1.1 200"))
      let second = try #require(response.range(of: "HTTP/1.1 400"))
      #expect(first.lowerBound < second.lowerBound)
      #expect(closed)
    }
  }

  @Test func idleConnectionsAreClosed() async throws {
    try await withFrontDoor({ $0.idleTimeout = .milliseconds(200) }) { port in
      let socket = try RawSocket(port: port)
      defer { socket.close() }
      socket.send("GET /api/hello HTTP/1.1\r\nHost: a\r\n\r\n")
      #expect(await socket.read(until: "ok:hello").contains("200"))
      let (_, closed) = await socket.readToEnd()  // nothing more is sent: the server closes when idle
      #expect(closed)
    }
  }

  @Test(arguments: [
    ("/api/files/a/../b.txt", ["api", "files", "b.txt"]), ("/api/files/./a/./b", ["api", "files", "a", "b"]),
    ("/api/files/../../../x", ["x"]), ("/api/files/%2E%2E/y", ["api", "y"]),
  ])
  func dotSegmentsAreRemoved(path: String, segments: [String]) {
    #expect(RequestPath.segments(of: path).map(String.init) == segments)
  }

  @Test func aNULInThePathIsRefused() async throws {
    try await withFrontDoor { port in
      let socket = try RawSocket(port: port)
      defer { socket.close() }
      socket.send("GET /api/files/a%00b HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
      let (response, _) = await socket.readToEnd()
      #expect(response.hasPrefix("HTTP/1.1 400"), "\(response)")
      #expect(response.contains("invalidPath"))
    }
  }

  @Test func maxConnectionsDefaultsToAQuarterOfTheFileLimit() {
    let n = HTTPFrontDoor.Configuration.defaultMaxConnections
    #expect(n >= 64 && n <= 10_000)
  }
}
