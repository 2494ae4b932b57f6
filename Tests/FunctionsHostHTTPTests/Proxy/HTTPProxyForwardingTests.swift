import Foundation
import FunctionsHostCore
import FunctionsRPC
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Synchronization
import Testing

@testable import FunctionsHostHTTP

/// A dispatcher whose workers have their own HTTP server at `port` (HTTP proxying).
private final class ProxyingDispatcher: InvocationDispatching, Sendable {
  let port: Int
  let proxied: Set<String>
  let inputs = Mutex<[InvocationInput]>([])
  let functionList: [FunctionMetadata]

  init(port: Int, functions: [FunctionMetadata], proxied: Set<String>) {
    self.port = port
    self.functionList = functions
    self.proxied = proxied
  }

  func functions() -> [FunctionMetadata] { functionList }

  func invoke(_ input: InvocationInput) async throws -> InvocationOutput {
    inputs.withLock { $0.append(input) }
    return try await StubDispatcher.ok(input)
  }

  func httpProxy(for function: FunctionMetadata) -> HTTPProxyTarget? {
    guard proxied.contains(function.name) else { return nil }
    return HTTPProxyTarget(baseURI: "http://127.0.0.1:\(port)/", requiresRouteParameters: true, perFunction: true)
  }

  func invokeProxied<Forwarded: Sendable>(
    _ input: InvocationInput, function: FunctionMetadata,
    forward: @escaping @Sendable (HTTPProxyTarget, String) async throws -> Forwarded
  ) async throws -> (Forwarded, InvocationOutput) {
    inputs.withLock { $0.append(input) }
    let forwarded = try await forward(httpProxy(for: function)!, "inv-\(function.name)")
    return (forwarded, InvocationOutput(invocationID: "inv-\(function.name)"))
  }
}

/// What the stand-in worker server saw.
private final class WorkerServerLog: Sendable {
  let requests = Mutex<[(path: String, invocationID: String?, headers: HTTPFields, authority: String?, bodyBytes: Int)]>([])
  let release: AsyncStream<Void>
  let releaseContinuation: AsyncStream<Void>.Continuation
  let streamEnded: AsyncStream<Void>
  let streamEndedContinuation: AsyncStream<Void>.Continuation

  init() {
    (release, releaseContinuation) = AsyncStream.makeStream()
    (streamEnded, streamEndedContinuation) = AsyncStream.makeStream()
  }
}

/// A stand-in for a worker's own HTTP server: an SSE stream whose second event waits for the test, and
/// an upload that counts the bytes it reads as they arrive.
private func workerServer(_ log: WorkerServerLog) -> some ApplicationProtocol {
  let router = Router()
  router.get("/api/events") { request, _ -> Response in
    log.requests.withLock {
      $0.append((request.uri.path, request.headers[HTTPField.Name("x-ms-invocation-id")!], request.headers, request.head.authority, 0))
    }
    return Response(
      status: .ok, headers: [.contentType: "text/event-stream", HTTPField.Name("x-from-worker")!: "yes"],
      body: ResponseBody { writer in
        defer { log.streamEndedContinuation.yield() }
        try await writer.write(ByteBuffer(string: "data: one\n\n"))
        for await _ in log.release { break }
        try await writer.write(ByteBuffer(string: "data: two\n\n"))
        try await writer.finish(nil)
      })
  }
  router.get("/api/endless") { _, _ -> Response in
    Response(
      status: .ok,
      body: ResponseBody { writer in
        defer { log.streamEndedContinuation.yield() }
        try await writer.write(ByteBuffer(string: "data: one\n\n"))
        for await _ in log.release { break }
        // Writes until the connection is gone: only a host that closes it lets this end.
        while true { try await writer.write(ByteBuffer(repeating: 0x7a, count: 65_536)) }
      })
  }
  router.post("/api/upload") { request, _ -> Response in
    var count = 0
    for try await chunk in request.body { count += chunk.readableBytes }
    log.requests.withLock {
      $0.append((request.uri.path, request.headers[HTTPField.Name("x-ms-invocation-id")!], request.headers, request.head.authority, count))
    }
    return Response(status: .created, body: ResponseBody(byteBuffer: ByteBuffer(string: "bytes=\(count)")))
  }
  return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: quietLogger)
}

@Suite("HTTP proxying to a worker's own server")
struct HTTPProxyForwardingTests {
  @Test(.timeLimit(.minutes(1)))
  func streamedResponseArrivesChunkByChunkWithTheInvocationID() async throws {
    let log = WorkerServerLog()
    try await workerServer(log).test(.live) { worker in
      let stub = ProxyingDispatcher(
        port: worker.port!, functions: [httpFunction("events"), httpFunction("hello")], proxied: ["events"])
      let frontDoor = HTTPFrontDoor(dispatcher: stub, logger: quietLogger)
      try await frontDoor.makeApplication().test(.live) { client in
        let socket = try RawSocket(port: client.port!)
        defer { socket.close() }
        socket.send("GET /api/events?x=1 HTTP/1.1\r\nHost: example.test\r\nConnection: keep-alive, x-drop\r\nx-drop: 1\r\n\r\n")
        // The first event is through before the worker's server has produced the second.
        let head = await socket.read(until: "data: one\n\n")
        #expect(head.hasPrefix("HTTP/1.1 200"))
        #expect(head.lowercased().contains("content-type: text/event-stream"))
        #expect(head.lowercased().contains("x-from-worker: yes"))
        #expect(!head.contains("data: two"))
        log.releaseContinuation.yield()
        let rest = await socket.read(until: "data: two\n\n")
        #expect(rest.contains("data: two"))

        // A function the worker does not stream keeps the buffered path.
        socket.send("GET /api/hello HTTP/1.1\r\nHost: example.test\r\n\r\n")
        let plain = await socket.read(until: "ok:hello")
        #expect(plain.contains("ok:hello"))
      }
      let seen = try #require(log.requests.withLock { $0.first })
      #expect(seen.path == "/api/events")
      #expect(seen.invocationID == "inv-events")
      #expect(seen.authority == "example.test")
      #expect(seen.headers[HTTPField.Name("x-drop")!] == "1")  // not named by Connection: hop-by-hop only
      #expect(seen.headers[.connection] == nil)
      let proxiedInput = try #require(stub.inputs.withLock { $0.first })
      let http = try #require(proxiedInput.inputData.first?.data.http)
      #expect(http.body.data == nil)  // the host never read the body
      #expect(http.url.isEmpty)
      #expect(proxiedInput.triggerMetadata["x"]?.string == "1")
    }
  }

  @Test(.timeLimit(.minutes(1)))
  func uploadsStreamThroughWithoutTheBodyLimit() async throws {
    let log = WorkerServerLog()
    try await workerServer(log).test(.live) { worker in
      let stub = ProxyingDispatcher(port: worker.port!, functions: [httpFunction("upload")], proxied: ["upload"])
      // The buffered-body limit is far below the upload: proxied requests are not held by the host.
      let frontDoor = HTTPFrontDoor(
        dispatcher: stub, configuration: .defaults { $0.maxRequestBodySize = 1_000 }, logger: quietLogger)
      try await frontDoor.makeApplication().test(.live) { client in
        let size = 3_000_000
        try await client.execute(
          uri: "/api/upload", method: .post, body: ByteBuffer(repeating: 0x61, count: size)
        ) { response in
          #expect(response.status == .created)
          #expect(String(buffer: response.body) == "bytes=\(size)")
        }
      }
      #expect(log.requests.withLock { $0.first?.bodyBytes } == 3_000_000)
    }
  }

  @Test(.timeLimit(.minutes(1)))
  func anUnreachableWorkerServerIsABadGateway() async throws {
    // A port nothing listens on: bind one, then close it.
    let closedPort = try await {
      let app = Application(router: Router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)))
      return try await app.test(.live) { $0.port! }
    }()
    let stub = ProxyingDispatcher(port: closedPort, functions: [httpFunction("events")], proxied: ["events"])
    let frontDoor = HTTPFrontDoor(dispatcher: stub, logger: quietLogger)
    try await frontDoor.makeApplication().test(.live) { client in
      try await client.execute(uri: "/api/events", method: .get) { response in
        #expect(response.status == .badGateway)
        #expect(String(buffer: response.body).contains("proxyFailed"))
      }
    }
  }

  @Test(.timeLimit(.minutes(1)))
  func aClientThatLeavesMidStreamClosesTheWorkerConnection() async throws {
    let log = WorkerServerLog()
    try await workerServer(log).test(.live) { worker in
      let stub = ProxyingDispatcher(port: worker.port!, functions: [httpFunction("endless")], proxied: ["endless"])
      let frontDoor = HTTPFrontDoor(dispatcher: stub, logger: quietLogger)
      try await frontDoor.makeApplication().test(.live) { client in
        let socket = try RawSocket(port: client.port!)
        socket.send("GET /api/endless HTTP/1.1\r\nHost: example.test\r\n\r\n")
        _ = await socket.read(until: "data: one\n\n")
        socket.close()
        // The worker server writes without end once released: it stops only when the host closes the
        // forwarded connection (a host that kept it would block it on back-pressure: the time limit fails).
        log.releaseContinuation.yield()
        for await _ in log.streamEnded { break }
      }
    }
  }
}
