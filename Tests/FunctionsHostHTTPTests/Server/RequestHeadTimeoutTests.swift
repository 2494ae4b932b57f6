import Foundation
import FunctionsHostCore
import Hummingbird
import HummingbirdTesting
import Testing

@testable import FunctionsHostHTTP

/// A request head must arrive whole within `requestHeadTimeout` of its first byte (slowloris on heads);
/// the idle timeout alone restarts at every byte.
@Suite("HTTP front door: request head timeout")
struct RequestHeadTimeoutTests {
  private func frontDoor(headTimeout: Duration?) -> HTTPFrontDoor {
    HTTPFrontDoor(
      dispatcher: StubDispatcher(functions: [httpFunction("hello")]),
      configuration: .defaults {
        $0.requestHeadTimeout = headTimeout
        $0.idleTimeout = .seconds(60)
      },
      logger: quietLogger)
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
