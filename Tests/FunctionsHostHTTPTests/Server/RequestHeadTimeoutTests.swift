import Foundation
import FunctionsHostCore
import Hummingbird
import HummingbirdTesting
import Testing

@testable import FunctionsHostHTTP

/// A request head must arrive whole within `requestHeadTimeout` of its first byte, and a body keep up a
/// minimum rate while the host reads it (slowloris); the idle timeout alone restarts at every byte.
@Suite("HTTP front door: request head timeout")
struct RequestHeadTimeoutTests {
  private func frontDoor(headTimeout: Duration?, bodyRate: Int? = nil) -> HTTPFrontDoor {
    HTTPFrontDoor(
      dispatcher: StubDispatcher(functions: [httpFunction("hello")]),
      configuration: .defaults {
        $0.requestHeadTimeout = headTimeout
        $0.idleTimeout = .seconds(60)
        $0.minimumRequestBodyBytesPerSecond = bodyRate
        $0.minimumRequestBodyRateGrace = .milliseconds(300)
      },
      logger: quietLogger)
  }

  @Test(.timeLimit(.minutes(1)))
  func aTrickledBodyIsCutOffWhileABodyThatKeepsUpIsServed() async throws {
    try await frontDoor(headTimeout: nil, bodyRate: 1_000).makeApplication().test(.live) { client in
      let socket = try RawSocket(port: client.port!)
      defer { socket.close() }
      socket.send("POST /api/hello HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello")
      #expect(await socket.read(until: "ok:hello").contains("200 OK"))
      // 10 bytes of a 100,000-byte body, then nothing: closed after the grace (the idle timeout is 60 s).
      socket.send("POST /api/hello HTTP/1.1\r\nHost: a\r\nContent-Length: 100000\r\n\r\n0123456789")
      let (text, closed) = await socket.readToEnd()
      #expect(closed)
      #expect(!text.contains("HTTP/1.1"))
    }
  }

  @Test(.timeLimit(.minutes(1)))
  func aTrickledHeadIsCutOffWhileWholeRequestsAreServed() async throws {
    try await frontDoor(headTimeout: .milliseconds(300)).makeApplication().test(.live) { client in
      let socket = try RawSocket(port: client.port!)
      defer { socket.close() }
      // A whole request first: answered, and its connection stays open.
      socket.send("GET /api/hello HTTP/1.1\r\nHost: a\r\n\r\n")
      #expect(await socket.read(until: "ok:hello").contains("200 OK"))
      // Then a head that never ends: the connection is closed (the idle timeout is 60 s).
      socket.send("GET /api/hello HTTP/1.1\r\nHo")
      let (text, closed) = await socket.readToEnd()
      #expect(closed)
      #expect(!text.contains("HTTP/1.1"))
    }
  }
}
