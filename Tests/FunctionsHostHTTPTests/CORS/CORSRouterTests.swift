import Foundation
import FunctionsHostCore
import FunctionsRPC
import Hummingbird
import HummingbirdTesting
import Testing

@testable import FunctionsHostHTTP

@Suite("HTTP front door: host-level CORS (router)")
struct CORSRouterTests {
  func frontDoor(
    _ stub: StubDispatcher,
    cors: HTTPFrontDoor.CORSPolicy?,
    keys: FunctionKeys? = nil
  ) -> HTTPFrontDoor {
    HTTPFrontDoor(
      dispatcher: stub,
      configuration: .defaults { $0.cors = cors },
      logger: quietLogger,
      keys: keys
    )
  }

  func preflight(
    origin: String,
    method: String = "PUT",
    headers: String? = "content-type, x-custom"
  )
    -> HTTPFields
  {
    var fields: HTTPFields = [.origin: origin, .accessControlRequestMethod: method]
    if let headers { fields[.accessControlRequestHeaders] = headers }
    return fields
  }

  static let functions = [
    httpFunction("items", methods: ["get", "put"]),
    httpFunction("withOptions", methods: ["get", "options"]),
  ]

  @Test func preflightFromAnAllowedOriginIsAnsweredByTheHost() async throws {
    let stub = StubDispatcher(functions: Self.functions)
    let policy = HTTPFrontDoor.CORSPolicy(
      allowedOrigins: ["https://contoso.com", "http://localhost:3000/"],
      maxAge: 600
    )
    try await frontDoor(stub, cors: policy).makeApplication().test(.router) { client in
      for (path, origin) in [
        ("/api/items", "https://contoso.com"), ("/api/withOptions", "HTTP://LOCALHOST:3000"),
      ] {
        try await client.execute(uri: path, method: .options, headers: preflight(origin: origin)) {
          response in
          #expect(response.status == .noContent)
          #expect(response.headers[.accessControlAllowOrigin] == origin)
          #expect(response.headers[.accessControlAllowMethods] == "PUT")
          #expect(response.headers[.accessControlAllowHeaders] == "content-type, x-custom")
          #expect(response.headers[.accessControlMaxAge] == "600")
          #expect(response.headers[.vary] == "Origin")
          #expect(response.headers[.accessControlAllowCredentials] == nil)
          #expect(response.body.readableBytes == 0)
        }
      }
      // Without requested headers there is no Allow-Headers.
      try await client.execute(
        uri: "/api/items",
        method: .options,
        headers: preflight(origin: "https://contoso.com", headers: nil)
      ) { response in
        #expect(response.headers[.accessControlAllowHeaders] == nil)
      }
    }
    #expect(stub.inputs.isEmpty, "the host answered every preflight itself")
  }

  @Test func preflightFromAnotherOriginGetsNoCORSHeaders() async throws {
    let stub = StubDispatcher(functions: Self.functions)
    let policy = HTTPFrontDoor.CORSPolicy(allowedOrigins: ["https://contoso.com"])
    try await frontDoor(stub, cors: policy).makeApplication().test(.router) { client in
      for origin in [
        "https://evil.example", "https://contoso.com.evil.example", "http://contoso.com",
      ] {
        try await client.execute(
          uri: "/api/items",
          method: .options,
          headers: preflight(origin: origin)
        ) {
          response in
          #expect(response.status == .noContent)
          #expect(response.headers[.accessControlAllowOrigin] == nil)
          #expect(response.headers[.accessControlAllowMethods] == nil)
          #expect(response.headers[.vary] == "Origin")
        }
      }
    }
    #expect(stub.inputs.isEmpty)
  }

  @Test func wildcardAnswersStarOrEchoesWithCredentials() async throws {
    let stub = StubDispatcher(functions: Self.functions)
    try await frontDoor(stub, cors: .init(allowedOrigins: ["*"])).makeApplication().test(.router) {
      client in
      try await client.execute(
        uri: "/api/items",
        method: .options,
        headers: preflight(origin: "https://a.example")
      ) {
        #expect($0.headers[.accessControlAllowOrigin] == "*")
        #expect($0.headers[.vary] == nil)
      }
      try await client.execute(
        uri: "/api/items",
        method: .get,
        headers: [.origin: "https://a.example"]
      ) {
        #expect($0.status == .ok)
        #expect($0.headers[.accessControlAllowOrigin] == "*")
      }
    }
    let credentialed = HTTPFrontDoor.CORSPolicy(allowedOrigins: ["*"], allowsCredentials: true)
    try await frontDoor(stub, cors: credentialed).makeApplication().test(.router) { client in
      try await client.execute(
        uri: "/api/items",
        method: .options,
        headers: preflight(origin: "https://a.example")
      ) {
        #expect($0.headers[.accessControlAllowOrigin] == "https://a.example")
        #expect($0.headers[.accessControlAllowCredentials] == "true")
        #expect($0.headers[.vary] == "Origin")
      }
      try await client.execute(
        uri: "/api/items",
        method: .get,
        headers: [.origin: "https://b.example"]
      ) {
        #expect($0.headers[.accessControlAllowOrigin] == "https://b.example")
        #expect($0.headers[.accessControlAllowCredentials] == "true")
      }
    }
  }

  @Test func normalResponsesGetTheHeadersOnlyForAllowedOrigins() async throws {
    let stub = StubDispatcher(functions: Self.functions) { _ in
      // A function that sets its own CORS header (the guide's workaround) and a Vary.
      InvocationOutput(
        invocationID: "i",
        returnValue: .http(
          status: "200",
          headers: [
            "Access-Control-Allow-Origin": "https://function.example", "Vary": "Accept-Encoding",
          ],
          body: .string("ok")
        )
      )
    }
    let policy = HTTPFrontDoor.CORSPolicy(
      allowedOrigins: ["https://contoso.com"],
      allowsCredentials: true
    )
    try await frontDoor(stub, cors: policy).makeApplication().test(.router) { client in
      try await client.execute(
        uri: "/api/items",
        method: .get,
        headers: [.origin: "https://contoso.com"]
      ) {
        response in
        #expect(response.status == .ok)
        #expect(response.headers[values: .accessControlAllowOrigin] == ["https://contoso.com"])
        #expect(response.headers[.accessControlAllowCredentials] == "true")
        #expect(response.headers[values: .vary] == ["Accept-Encoding", "Origin"])
        #expect(String(buffer: response.body) == "ok")
      }
      try await client.execute(
        uri: "/api/items",
        method: .get,
        headers: [.origin: "https://other.example"]
      ) {
        response in
        #expect(response.headers[.accessControlAllowCredentials] == nil)
        #expect(response.headers[.accessControlAllowOrigin] == "https://function.example")
      }
      // Errors carry the headers too, so that browser code can read them.
      try await client.execute(
        uri: "/api/nothing",
        method: .get,
        headers: [.origin: "https://contoso.com"]
      ) {
        #expect($0.status == .notFound)
        #expect($0.headers[.accessControlAllowOrigin] == "https://contoso.com")
      }
      // No Origin, no CORS work.
      try await client.execute(uri: "/api/items", method: .get) { response in
        #expect(response.headers[.accessControlAllowOrigin] == "https://function.example")
        #expect(response.headers[values: .vary] == ["Accept-Encoding"])
        #expect(response.headers[.accessControlAllowCredentials] == nil)
      }
    }
  }

  @Test func preflightNeedsNoKeyButTheRealRequestDoes() async throws {
    let stub = StubDispatcher(functions: [
      httpFunction("guarded", methods: ["post"], authLevel: "function")
    ])
    let keys = FunctionKeys(masterKey: "m", hostKeys: ["default": "d"])
    let policy = HTTPFrontDoor.CORSPolicy(allowedOrigins: ["https://contoso.com"])
    try await frontDoor(stub, cors: policy, keys: keys).makeApplication().test(.router) { client in
      try await client.execute(
        uri: "/api/guarded",
        method: .options,
        headers: preflight(origin: "https://contoso.com", method: "POST")
      ) {
        #expect($0.status == .noContent)
        #expect($0.headers[.accessControlAllowOrigin] == "https://contoso.com")
      }
      try await client.execute(
        uri: "/api/guarded",
        method: .post,
        headers: [.origin: "https://contoso.com"]
      ) {
        #expect($0.status == .unauthorized)
        #expect($0.headers[.accessControlAllowOrigin] == "https://contoso.com")
      }
    }
    #expect(stub.inputs.isEmpty)
  }

  @Test func withHostCORSOffTheFunctionReceivesOPTIONS() async throws {
    let stub = StubDispatcher(functions: Self.functions)
    try await frontDoor(stub, cors: nil).makeApplication().test(.router) { client in
      try await client.execute(
        uri: "/api/withOptions",
        method: .options,
        headers: preflight(origin: "https://contoso.com")
      ) { response in
        #expect(response.status == .ok)
        #expect(String(buffer: response.body) == "ok:withOptions")
        #expect(response.headers[.accessControlAllowOrigin] == nil)
      }
      // A function that does not list options: 405, as for any other method.
      try await client.execute(
        uri: "/api/items",
        method: .options,
        headers: preflight(origin: "https://contoso.com")
      ) {
        #expect($0.status == .methodNotAllowed)
      }
    }
    #expect(stub.lastHTTP?.method == "OPTIONS")
    // An empty origin list is the same as no policy.
    let empty = StubDispatcher(functions: Self.functions)
    try await frontDoor(empty, cors: .init(allowedOrigins: [])).makeApplication().test(.router) {
      client in
      try await client.execute(
        uri: "/api/withOptions",
        method: .options,
        headers: preflight(origin: "https://x")
      ) {
        #expect($0.status == .ok)
      }
    }
  }

  @Test func withHostCORSOnAPlainOPTIONSStillReachesTheFunction() async throws {
    let stub = StubDispatcher(functions: Self.functions)
    try await frontDoor(stub, cors: .init(allowedOrigins: ["*"])).makeApplication().test(.router) {
      client in
      // No Access-Control-Request-Method: not a preflight.
      try await client.execute(
        uri: "/api/withOptions",
        method: .options,
        headers: [.origin: "https://x"]
      ) {
        #expect($0.status == .ok)
        #expect(String(buffer: $0.body) == "ok:withOptions")
        #expect($0.headers[.accessControlAllowOrigin] == "*")
      }
    }
  }

  @Test func policyFromLocalSettingsAndFlags() {
    var settings = LocalSettings()
    #expect(HTTPFrontDoor.CORSPolicy(settings: settings) == nil)
    settings.cors = ["https://a.example", "https://b.example"]
    settings.corsCredentials = true
    #expect(
      HTTPFrontDoor.CORSPolicy(settings: settings)
        == .init(
          allowedOrigins: ["https://a.example", "https://b.example"],
          allowsCredentials: true
        )
    )
    // --cors replaces the list (comma lists and repeats); --cors-credentials only adds.
    let flagged = HTTPFrontDoor.CORSPolicy(
      settings: settings,
      origins: ["https://c.example, https://d.example", " *"],
      credentials: false
    )
    #expect(flagged?.allowedOrigins == ["https://c.example", "https://d.example", "*"])
    #expect(flagged?.allowsCredentials == true)
    #expect(
      HTTPFrontDoor.CORSPolicy(settings: LocalSettings(), origins: ["*"], credentials: true)?
        .allowsCredentials == true
    )
    #expect(HTTPFrontDoor.CORSPolicy(settings: LocalSettings(), origins: [" , "]) == nil)
  }
}
