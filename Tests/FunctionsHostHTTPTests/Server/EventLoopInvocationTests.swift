import Dispatch
import Foundation
import FunctionsHostCore
import FunctionsRPC
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

@testable import FunctionsHostHTTP

/// A dispatcher that starts invocations synchronously (answering from another thread), except for
/// functions it is told to refuse, which then take the awaiting path.
private final class SyncStartDispatcher: InvocationDispatching, Sendable {
  let functionList: [FunctionMetadata]
  let refuse: Set<String>
  let started = Mutex<[String]>([])
  let awaited = Mutex<[String]>([])

  init(functions: [FunctionMetadata], refuse: Set<String> = []) {
    self.functionList = functions
    self.refuse = refuse
  }

  func functions() -> [FunctionMetadata] { functionList }

  func invoke(_ input: InvocationInput) async throws -> InvocationOutput {
    awaited.withLock { $0.append(input.functionName) }
    return Self.answer(input)
  }

  func startInvoke(
    _ input: InvocationInput, function: FunctionMetadata,
    completion: @escaping @Sendable (Result<InvocationOutput, any Error>) -> Void
  ) -> Bool {
    guard !refuse.contains(function.name) else { return false }
    started.withLock { $0.append(input.functionName) }
    // The answer comes from another thread, later: as a worker's would.
    DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(input.functionName == "slow" ? 200 : 1)) {
      if input.functionName == "boom" {
        completion(.failure(FunctionsHostError(code: .functionFailed, message: "function 'boom' failed: no", invocationID: "inv-9")))
      } else {
        completion(.success(Self.answer(input)))
      }
    }
    return true
  }

  static func answer(_ input: InvocationInput) -> InvocationOutput {
    let body = input.inputData.first?.data.http.body.bytes ?? Data()
    return InvocationOutput(
      invocationID: "inv-1",
      returnValue: .http(status: "200", body: .string("\(input.functionName):\(String(decoding: body, as: UTF8.self))")))
  }
}

@Suite("HTTP front door: the event-loop invocation path")
struct EventLoopInvocationTests {
  @Test(.timeLimit(.minutes(1)))
  func functionRequestsAreAnsweredOnTheEventLoopWithTheSameResponse() async throws {
    let stub = SyncStartDispatcher(functions: [httpFunction("hello"), httpFunction("boom")])
    let frontDoor = HTTPFrontDoor(dispatcher: stub, logger: quietLogger)
    try await frontDoor.makeApplication().test(.live) { client in
      try await client.execute(uri: "/api/hello", method: .post, body: ByteBuffer(string: "hi")) { response in
        #expect(response.status == .ok)
        #expect(String(buffer: response.body) == "hello:hi")
        #expect(response.headers[.contentType] == "text/plain; charset=utf-8")
        #expect(response.headers[.contentLength] == "8")
        #expect(response.headers[.date] != nil)
      }
      try await client.execute(uri: "/api/boom", method: .get) { response in
        #expect(response.status == .internalServerError)
        #expect(String(buffer: response.body).contains("functionFailed"))
        #expect(response.headers[.contentType] == "application/json; charset=utf-8")
      }
    }
    #expect(stub.started.withLock { $0 } == ["hello", "boom"])
    #expect(stub.awaited.withLock { $0 }.isEmpty)
  }

  @Test(.timeLimit(.minutes(1)))
  func aRequestNoWorkerTakesAtOnceFallsBackToTheAwaitingPath() async throws {
    let stub = SyncStartDispatcher(functions: [httpFunction("hello")], refuse: ["hello"])
    let frontDoor = HTTPFrontDoor(dispatcher: stub, logger: quietLogger)
    try await frontDoor.makeApplication().test(.live) { client in
      try await client.execute(uri: "/api/hello", method: .post, body: ByteBuffer(string: "x")) { response in
        #expect(response.status == .ok)
        #expect(String(buffer: response.body) == "hello:x")
      }
    }
    #expect(stub.awaited.withLock { $0 } == ["hello"])
  }

  @Test(.timeLimit(.minutes(1)))
  func pipelinedRequestsAreAnsweredInOrderAcrossBothPaths() async throws {
    let stub = SyncStartDispatcher(functions: [httpFunction("slow"), httpFunction("hello")])
    let frontDoor = HTTPFrontDoor(dispatcher: stub, logger: quietLogger)
    try await frontDoor.makeApplication().test(.live) { client in
      let socket = try RawSocket(port: client.port!)
      defer { socket.close() }
      // slow (event loop, 200 ms) · not found (Hummingbird) · hello (event loop) · ping (Hummingbird) · hello
      socket.send(
        "GET /api/slow HTTP/1.1\r\nHost: a\r\n\r\n" + "GET /api/missing HTTP/1.1\r\nHost: a\r\n\r\n"
          + "POST /api/hello HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"
          + "GET /admin/host/ping HTTP/1.1\r\nHost: a\r\n\r\n"
          + "POST /api/hello HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nConnection: close\r\n\r\nxyz")
      let (text, closed) = await socket.readToEnd()
      #expect(closed)
      let order = ["slow:", "routeNotFound", "hello:abc", "HTTP/1.1 200", "hello:xyz"]
      var index = text.startIndex
      for marker in order {
        let found = try #require(text.range(of: marker, range: index..<text.endIndex), "\(marker) in order:\n\(text)")
        index = found.upperBound
      }
      #expect(text.components(separatedBy: "HTTP/1.1 ").count - 1 == 5)
    }
  }

  /// Reads go on while an invocation runs (no epoll churn), so the client's end of input can arrive
  /// before the answer: the answer must still be written, then the connection closed.
  @Test(.timeLimit(.minutes(1)))
  func aClientThatHalfClosesAfterItsRequestStillGetsTheAnswer() async throws {
    let stub = SyncStartDispatcher(functions: [httpFunction("slow"), httpFunction("hello")])
    let frontDoor = HTTPFrontDoor(dispatcher: stub, logger: quietLogger)
    try await frontDoor.makeApplication().test(.live) { client in
      for pipelined in [false, true] {
        let socket = try RawSocket(port: client.port!)
        defer { socket.close() }
        socket.send(
          "GET /api/slow HTTP/1.1\r\nHost: a\r\n\r\n"
            + (pipelined ? "POST /api/hello HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nok" : ""))
        socket.shutdownWrite()
        let (text, closed) = await socket.readToEnd()
        #expect(closed)
        #expect(text.hasPrefix("HTTP/1.1 200"), "\(text)")
        #expect(text.contains("slow:"), "\(text)")
        if pipelined { #expect(text.contains("hello:ok"), "\(text)") }
      }
    }
    #expect(stub.started.withLock { $0 } == ["slow", "slow", "hello"])
  }

  @Test(.timeLimit(.minutes(1)))
  func theEventLoopPathCanBeTurnedOff() async throws {
    let stub = SyncStartDispatcher(functions: [httpFunction("hello")])
    let frontDoor = HTTPFrontDoor(
      dispatcher: stub, configuration: .defaults { $0.eventLoopInvocations = false }, logger: quietLogger)
    try await frontDoor.makeApplication().test(.live) { client in
      try await client.execute(uri: "/api/hello", method: .get) { #expect($0.status == .ok) }
    }
    #expect(stub.started.withLock { $0 }.isEmpty)
    #expect(stub.awaited.withLock { $0 } == ["hello"])
  }
}
