import Foundation
import FunctionsHostCore
import FunctionsRPC
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@testable import FunctionsHostHTTP

@Suite("HTTP front door (router)")
struct HTTPFrontDoorRouterTests {
  func frontDoor(
    _ dispatcher: StubDispatcher,
    configure: (inout HTTPFrontDoor.Configuration) -> Void = { _ in }
  ) -> HTTPFrontDoor {
    HTTPFrontDoor(
      dispatcher: dispatcher,
      configuration: .defaults(configure: configure),
      logger: quietLogger
    )
  }

  @Test func invokesTheMatchedFunction() async throws {
    let stub = StubDispatcher(functions: [
      httpFunction("hello"), httpFunction("items", route: "items/{id:int}"),
    ])
    try await frontDoor(stub).makeApplication().test(.router) { client in
      try await client.execute(uri: "/api/items/7?x=1", method: .get) { response in
        #expect(response.status == .ok)
        #expect(String(buffer: response.body) == "ok:items")
        #expect(response.headers[.contentType] == "text/plain; charset=utf-8")
      }
      try await client.execute(uri: "/api/Hello", method: .post, body: ByteBuffer(string: "x")) {
        response in
        #expect(String(buffer: response.body) == "ok:hello")
      }
    }
    #expect(stub.inputs.map(\.functionName) == ["items", "hello"])
    #expect(stub.inputs.first?.inputData.first?.data.http.params == ["id": "7"])
    #expect(stub.inputs.first?.traceContext?.traceParent.count == 55)
  }

  @Test func notFoundHasAShortJSONBody() async throws {
    let stub = StubDispatcher(functions: [httpFunction("hello")])
    try await frontDoor(stub).makeApplication().test(.router) { client in
      try await client.execute(uri: "/api/nope", method: .get) { response in
        #expect(response.status == .notFound)
        #expect(response.headers[.contentType] == "application/json; charset=utf-8")
        let body = String(buffer: response.body)
        #expect(body.contains(#""code":"routeNotFound""#))
      }
      try await client.execute(uri: "/items/7", method: .get) { #expect($0.status == .notFound) }
    }
    #expect(stub.inputs.isEmpty)
  }

  @Test func wrongMethodIs405WithAllow() async throws {
    let stub = StubDispatcher(functions: [httpFunction("hello", methods: ["get", "post"])])
    try await frontDoor(stub).makeApplication().test(.router) { client in
      try await client.execute(uri: "/api/hello", method: .delete) { response in
        #expect(response.status == .methodNotAllowed)
        #expect(response.headers[.allow] == "GET, POST")
      }
    }
  }

  @Test(arguments: [("", "/hello"), ("custom/v1", "/custom/v1/hello"), ("/api/", "/api/hello")])
  func routePrefix(prefix: String, path: String) async throws {
    let stub = StubDispatcher(functions: [httpFunction("hello")])
    try await frontDoor(stub) { $0.routePrefix = prefix }.makeApplication().test(.router) {
      client in
      try await client.execute(uri: path, method: .get) { #expect($0.status == .ok) }
    }
  }

  @Test func responseFromRpcHttp() async throws {
    var cookie = AzureFunctionsRpcMessages_RpcHttpCookie()
    cookie.name = "a"
    cookie.value = "1"
    cookie.httpOnly.value = true
    let cookies = [cookie]
    let stub = StubDispatcher(functions: [httpFunction("f")]) { _ in
      InvocationOutput(
        invocationID: "i",
        returnValue: .http(
          status: "202",
          headers: ["content-type": "application/json", "X-Powered-By": "tests"],
          body: .bytes(Array(#"{"ok":true}"#.utf8)),
          cookies: cookies
        )
      )
    }
    try await frontDoor(stub).makeApplication().test(.router) { client in
      try await client.execute(uri: "/api/f", method: .get) { response in
        #expect(response.status == .accepted)
        #expect(response.headers[.contentType] == "application/json")
        #expect(response.headers[HTTPField.Name("x-powered-by")!] == "tests")
        #expect(response.headers[.setCookie] == "a=1; Path=/; HttpOnly")
        #expect(String(buffer: response.body) == #"{"ok":true}"#)
      }
    }
  }

  @Test func namedOutputBindingIsUsed() async throws {
    let stub = StubDispatcher(functions: [httpFunction("f", output: "res")]) { _ in
      InvocationOutput(
        invocationID: "i",
        returnValue: .string("wrong"),
        outputData: ["res": .http(status: "200", body: .string("right"))]
      )
    }
    try await frontDoor(stub).makeApplication().test(.router) { client in
      try await client.execute(uri: "/api/f", method: .get) {
        #expect(String(buffer: $0.body) == "right")
      }
    }
  }

  @Test func plainStringReturnIs200TextPlain() async throws {
    let stub = StubDispatcher(functions: [httpFunction("f")]) { _ in
      InvocationOutput(invocationID: "i", returnValue: .string("hello"))
    }
    try await frontDoor(stub).makeApplication().test(.router) { client in
      try await client.execute(uri: "/api/f", method: .get) { response in
        #expect(response.status == .ok)
        #expect(response.headers[.contentType] == "text/plain; charset=utf-8")
        #expect(String(buffer: response.body) == "hello")
      }
    }
  }

  @Test func functionFailureIs500WithInvocationID() async throws {
    var exception = AzureFunctionsRpcMessages_RpcException()
    exception.message = "ZeroDivisionError: division by zero"
    exception.stackTrace = "Traceback (most recent call last): ..."
    let stub = StubDispatcher(
      functions: [httpFunction("f")],
      handler: StubDispatcher.failing(
        FunctionsHostError(
          code: .functionFailed,
          message: "function 'f' raised",
          invocationID: "0b1e-42",
          exception: exception
        )
      )
    )
    try await frontDoor(stub).makeApplication().test(.router) { client in
      try await client.execute(uri: "/api/f", method: .get) { response in
        #expect(response.status == .internalServerError)
        let body = String(buffer: response.body)
        #expect(body.contains(#""invocationId":"0b1e-42""#))
        #expect(body.contains("division by zero"))
        #expect(!body.contains("Traceback"))
      }
    }
  }

  @Test func unavailableIs503WithRetryAfterAndTimeoutIs504() async throws {
    let unavailable = StubDispatcher(
      functions: [httpFunction("f")],
      handler: StubDispatcher.failing(
        FunctionsHostError(code: .workerUnavailable, message: "no worker")
      )
    )
    try await frontDoor(unavailable).makeApplication().test(.router) { client in
      try await client.execute(uri: "/api/f", method: .get) { response in
        #expect(response.status == .serviceUnavailable)
        #expect(response.headers[.retryAfter] == "1")
      }
    }
    let slow = StubDispatcher(
      functions: [httpFunction("f")],
      handler: StubDispatcher.failing(
        FunctionsHostError(code: .timeout, message: "too slow", invocationID: "t")
      )
    )
    try await frontDoor(slow).makeApplication().test(.router) { client in
      try await client.execute(uri: "/api/f", method: .get) {
        #expect($0.status == .gatewayTimeout)
      }
    }
  }

  @Test func invalidStatusFromTheFunctionIs500() async throws {
    let stub = StubDispatcher(functions: [httpFunction("f")]) { _ in
      InvocationOutput(invocationID: "inv-s", returnValue: .http(status: "OK", body: .string("x")))
    }
    try await frontDoor(stub).makeApplication().test(.router) { client in
      try await client.execute(uri: "/api/f", method: .get) { response in
        #expect(response.status == .internalServerError)
        let body = String(buffer: response.body)
        #expect(body.contains("'OK'") && body.contains("inv-s"))
      }
    }
  }

  @Test func bodyOverTheLimitIs413() async throws {
    let stub = StubDispatcher(functions: [httpFunction("f")])
    try await frontDoor(stub) { $0.maxRequestBodySize = 10 }.makeApplication().test(.router) {
      client in
      try await client.execute(
        uri: "/api/f",
        method: .post,
        body: ByteBuffer(string: "0123456789A")
      ) {
        #expect($0.status == .contentTooLarge)
      }
      try await client.execute(uri: "/api/f", method: .post, body: ByteBuffer(string: "0123456789"))
      {
        #expect($0.status == .ok)
      }
    }
    #expect(stub.inputs.count == 1)
  }

  @Test func largeBodyArrivesWholeAsBytes() async throws {
    let stub = StubDispatcher(functions: [httpFunction("f")])
    let payload = [UInt8]((0 ..< 200_000).map { UInt8(truncatingIfNeeded: $0) })
    try await frontDoor(stub).makeApplication().test(.router) { client in
      // The router test client feeds the body in 32 KiB parts.
      try await client.execute(uri: "/api/f", method: .post, body: ByteBuffer(bytes: payload)) {
        #expect($0.status == .ok)
      }
    }
    #expect(stub.lastHTTP?.body.data == .bytes(Data(payload)))
  }

  @Test func chunkedStreamedBodyArrivesWholeAsBytes() async throws {
    let stub = StubDispatcher(functions: [httpFunction("f")])
    let responder = frontDoor(stub).makeResponder()
    let (stream, continuation) = AsyncStream.makeStream(of: ByteBuffer.self)
    let request = Request(
      head: HTTPRequest(
        method: .post,
        scheme: "http",
        authority: "localhost",
        path: "/api/f",
        headerFields: [.transferEncoding: "chunked"]
      ),
      body: RequestBody(asyncSequence: stream)
    )
    async let response = responder.respond(to: request, logger: quietLogger)
    for part in ["chunk-1;", "chunk-2;", "chunk-3"] {
      continuation.yield(ByteBuffer(string: part))
      await Task.yield()
    }
    continuation.finish()
    #expect(try await response.status == .ok)
    #expect(stub.lastHTTP?.body.data == .bytes(Data("chunk-1;chunk-2;chunk-3".utf8)))
    #expect(stub.lastHTTP?.headers["transfer-encoding"] == "chunked")
  }

  @Test func routesFollowFunctionChanges() async throws {
    let stub = StubDispatcher(functions: [httpFunction("one")])
    try await frontDoor(stub).makeApplication().test(.router) { client in
      try await client.execute(uri: "/api/two", method: .get) { #expect($0.status == .notFound) }
      stub.setFunctions([httpFunction("one"), httpFunction("two")])
      try await client.execute(uri: "/api/two", method: .get) { #expect($0.status == .ok) }
      stub.setFunctions([httpFunction("one"), httpFunction("two", disabled: true)])
      try await client.execute(uri: "/api/two", method: .get) { #expect($0.status == .notFound) }
    }
  }

  @Test func adminEndpoints() async throws {
    let stub = StubDispatcher(functions: [
      httpFunction("hello", methods: ["GET"]), httpFunction("off", route: "x/{id}", disabled: true),
      timerFunction("tick"),
    ])
    try await frontDoor(stub).makeApplication().test(.router) { client in
      try await client.execute(uri: "/admin/host/ping", method: .get) { #expect($0.status == .ok) }
      try await client.execute(uri: "/admin/host/ping", method: .delete) {
        #expect($0.status == .methodNotAllowed)
      }
      try await client.execute(uri: "/admin/nothing", method: .get) {
        #expect($0.status == .notFound)
      }
      try await client.execute(uri: "/admin/functions", method: .get) { response in
        #expect(response.status == .ok)
        let list = try #require(
          try JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8))
            as? [[String: Any]]
        )
        #expect(list.map { $0["name"] as? String } == ["hello", "off", "tick"])
        #expect(list[0]["route"] as? String == "api/hello")
        #expect(list[0]["methods"] as? [String] == ["GET"])
        #expect(list[0]["url"] as? String == "http://localhost/api/hello")
        #expect(list[0]["disabled"] as? Bool == false)
        #expect(list[1]["route"] as? String == "api/x/{id}")
        #expect(list[1]["disabled"] as? Bool == true)
        #expect(list[2]["route"] == nil)
        #expect(list[2]["trigger"] as? String == "timerTrigger")
      }
    }
    #expect(stub.inputs.isEmpty)
  }
}
