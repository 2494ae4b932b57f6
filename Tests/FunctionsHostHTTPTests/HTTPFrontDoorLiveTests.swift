import Foundation
import FunctionsHostCore
import FunctionsRPC
import Hummingbird
import HummingbirdTesting
import Logging
import ServiceLifecycle
import Testing

@testable import FunctionsHostHTTP

@Suite("HTTP front door (live sockets)")
struct HTTPFrontDoorLiveTests {
  @Test func liveRoundTrip() async throws {
    let stub = StubDispatcher(functions: [httpFunction("hello")])
    let frontDoor = HTTPFrontDoor(
      dispatcher: stub,
      configuration: .defaults { $0.maxRequestBodySize = 50_000 },
      logger: quietLogger
    )
    try await frontDoor.makeApplication().test(.live) { client in
      try await client.execute(
        uri: "/api/hello?name=x",
        method: .post,
        body: ByteBuffer(string: "hi")
      ) { response in
        #expect(response.status == .ok)
        #expect(String(buffer: response.body) == "ok:hello")
      }
      // Unread bodies of rejected requests must not break the kept-alive connection.
      try await client.execute(
        uri: "/api/nope",
        method: .post,
        body: ByteBuffer(repeating: 0x61, count: 100_000)
      ) {
        #expect($0.status == .notFound)
      }
      try await client.execute(uri: "/api/hello", method: .delete, body: ByteBuffer(string: "zzz"))
      {
        #expect($0.status == .ok)
      }
      try await client.execute(
        uri: "/api/hello?name=x",
        method: .post,
        body: ByteBuffer(string: "hi")
      ) {
        #expect($0.status == .ok)
      }
      // A body over the limit: 413, and the connection is closed rather than the rest being read.
      try await client.execute(
        uri: "/api/hello",
        method: .put,
        body: ByteBuffer(repeating: 0x62, count: 60_000)
      ) {
        #expect($0.status == .contentTooLarge)
        #expect($0.headers[.connection] == "close")
      }
    }
    let http = try #require(stub.lastHTTP)
    #expect(http.body.data == .bytes(Data("hi".utf8)))
    #expect(stub.inputs.count == 3)
    #expect(http.query == ["name": "x"])
    #expect(http.url.hasPrefix("http://localhost"))
  }

  @Test func runServesOnPortZeroAndReportsTheBoundAddress() async throws {
    let stub = StubDispatcher(functions: [httpFunction("hello")])
    let reported = AsyncStream.makeStream(of: HTTPFrontDoor.ListeningAddress.self)
    let frontDoor = HTTPFrontDoor(
      dispatcher: stub,
      configuration: .defaults { $0.port = 0 },
      logger: quietLogger,
      onServerRunning: { reported.continuation.yield($0) }
    )
    let group = ServiceGroup(services: [frontDoor], logger: quietLogger)
    try await withThrowingTaskGroup(of: Void.self) { tasks in
      tasks.addTask { try await group.run() }
      let address = try await frontDoor.listeningAddress
      #expect(address.port != 0)
      #expect(address.host == "127.0.0.1")
      var iterator = reported.stream.makeAsyncIterator()
      #expect(await iterator.next() == address)
      try await TestClient.withClient(host: address.host, port: address.port) { client in
        // HTTP/1.1 requires a Host header (HummingbirdTesting's client sends none unless given an authority).
        let response = try await client.execute(.init("/admin/host/ping", method: .get, authority: "localhost"))
        #expect(response.status == .ok)
        let hello = try await client.execute(.init("/api/hello", method: .get, authority: "localhost"))
        #expect(hello.body.map { String(buffer: $0) } == "ok:hello")
      }
      await group.triggerGracefulShutdown()
      try await tasks.waitForAll()
    }
    await #expect(throws: FunctionsHostError.self) { try await frontDoor.listeningAddress }
  }
}
