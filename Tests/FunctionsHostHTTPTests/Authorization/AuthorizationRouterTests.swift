import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import FunctionsHostCore
@testable import FunctionsHostHTTP

@Suite("HTTP front door: keys and authLevel (router)")
struct AuthorizationRouterTests {
  static let keys = FunctionKeys(
    masterKey: "M-master",
    hostKeys: ["default": "H-default"],
    functionKeys: ["guarded": ["default": "F-guarded"], "other": ["default": "F-other"]]
  )
  static let functions = [
    httpFunction("open", authLevel: "anonymous"),
    httpFunction("guarded", authLevel: "function"),
    httpFunction("other", authLevel: "function"),
    httpFunction("boss", authLevel: "admin"),
  ]

  func frontDoor(
    _ stub: StubDispatcher,
    keys: FunctionKeys? = AuthorizationRouterTests.keys,
    logger: RecordingLogger? = nil
  ) -> HTTPFrontDoor {
    HTTPFrontDoor(
      dispatcher: stub,
      logger: logger?.logger ?? quietLogger,
      keys: keys,
      statusProvider: { HostStatus(workers: []) }
    )
  }

  func status(
    _ client: some TestClientProtocol,
    _ uri: String,
    key: String? = nil,
    method: HTTPRequest.Method = .get
  ) async throws -> HTTPResponse.Status {
    var headers = HTTPFields()
    if let key { headers[HTTPField.Name("x-functions-key")!] = key }
    return try await client.execute(uri: uri, method: method, headers: headers).status
  }

  @Test(
    arguments: [
      // (path, key in header, expected status)
      ("/api/open", nil, 200),
      ("/api/guarded", nil, 401),
      ("/api/guarded", "F-guarded", 200),
      ("/api/guarded", "H-default", 200),
      ("/api/guarded", "M-master", 200),
      ("/api/guarded", "F-other", 401),
      ("/api/guarded", "wrong", 401),
      ("/api/guarded", "f-guarded", 401),
      ("/api/boss", nil, 401),
      ("/api/boss", "H-default", 401),
      ("/api/boss", "F-guarded", 401),
      ("/api/boss", "M-master", 200),
    ] as [(String, String?, Int)]
  )
  func levelsAndKeys(path: String, key: String?, expected: Int) async throws {
    let stub = StubDispatcher(functions: Self.functions)
    try await frontDoor(stub).makeApplication().test(.router) { client async throws in
      #expect(try await status(client, path, key: key).code == expected)
      // The same key as the `code` query parameter.
      if let key {
        #expect(try await status(client, "\(path)?x=1&code=\(key)").code == expected)
      }
    }
    #expect(stub.inputs.count == (expected == 200 ? (key == nil ? 1 : 2) : 0))
  }

  @Test func unauthorizedBodyNamesTheFunctionAndHowToPassAKey() async throws {
    let stub = StubDispatcher(functions: Self.functions)
    try await frontDoor(stub).makeApplication().test(.router) { client async throws in
      try await client.execute(uri: "/api/guarded?code=nope", method: .post) { response in
        #expect(response.status == .unauthorized)
        #expect(response.headers[.contentType] == "application/json; charset=utf-8")
        let body = try #require(
          try JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8))
            as? [String: Any]
        )
        #expect(body["code"] as? String == "unauthorized")
        #expect(body["function"] as? String == "guarded")
        let message = try #require(body["error"] as? String)
        #expect(message.contains("x-functions-key") && message.contains("'code' query parameter"))
        #expect(message.contains("authLevel 'function'"))
        #expect(!String(buffer: response.body).contains("nope"))
      }
      try await client.execute(uri: "/api/boss", method: .get) { response in
        #expect(String(buffer: response.body).contains("the master key"))
      }
    }
  }

  @Test func adminEndpointsNeedTheMasterKeyExceptPing() async throws {
    let stub = StubDispatcher(functions: Self.functions)
    try await frontDoor(stub).makeApplication().test(.router) { client async throws in
      #expect(try await status(client, "/admin/host/ping") == .ok)
      #expect(try await status(client, "/admin/host/ping/", method: .post) == .ok)
      for path in [
        "/admin/functions", "/admin/host/status", "/admin/nothing", "/ADMIN/Functions", "/admin",
      ] {
        #expect(try await status(client, path) == .unauthorized, "\(path)")
        #expect(try await status(client, path, key: "H-default") == .unauthorized, "\(path)")
        #expect(try await status(client, path, key: "F-guarded") == .unauthorized, "\(path)")
      }
      #expect(try await status(client, "/admin/functions", key: "M-master") == .ok)
      #expect(try await status(client, "/admin/functions?code=M-master") == .ok)
      #expect(try await status(client, "/admin/host/status", key: "M-master") == .ok)
      #expect(try await status(client, "/admin/nothing", key: "M-master") == .notFound)
      try await client.execute(uri: "/admin/functions?code=M-master", method: .get) { response in
        let list = try #require(
          try JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8))
            as? [[String: Any]]
        )
        #expect(
          list.map { $0["authLevel"] as? String } == ["admin", "function", "anonymous", "function"]
        )
      }
    }
  }

  @Test func withoutKeysEveryFunctionIsAnonymous() async throws {
    let stub = StubDispatcher(functions: Self.functions)
    try await frontDoor(stub, keys: nil).makeApplication().test(.router) { client async throws in
      for path in [
        "/api/open", "/api/guarded", "/api/boss", "/admin/functions", "/admin/host/status",
      ] {
        #expect(try await status(client, path) == .ok, "\(path)")
      }
    }
  }

  @Test func keysCanBeReplacedWhileServing() async throws {
    let stub = StubDispatcher(functions: Self.functions)
    let door = frontDoor(stub)
    try await door.makeApplication().test(.router) { client async throws in
      #expect(try await status(client, "/api/guarded", key: "new-key") == .unauthorized)
      var keys = Self.keys
      keys.functionKeys["guarded"] = ["default": "new-key"]
      door.updateKeys(keys)
      #expect(try await status(client, "/api/guarded", key: "new-key") == .ok)
      #expect(try await status(client, "/api/guarded", key: "F-guarded") == .unauthorized)
      door.updateKeys(nil)
      #expect(try await status(client, "/api/guarded") == .ok)
    }
  }

  @Test func keysNeverReachTheLog() async throws {
    let recording = RecordingLogger()
    let stub = StubDispatcher(
      functions: Self.functions + [httpFunction("failing", authLevel: "function")]
    ) { input in
      if input.functionName == "failing" {
        throw FunctionsHostError(
          code: .functionFailed,
          message: "failed on purpose",
          invocationID: "i-1"
        )
      }
      return try await StubDispatcher.ok(input)
    }
    try await frontDoor(stub, logger: recording).makeApplication().test(.router) {
      client async throws in
      for uri in [
        "/api/guarded?code=M-master", "/api/guarded?code=not-a-key-4711",
        "/api/nothing?code=M-master",
        "/api/failing?code=H-default", "/admin/functions?code=M-master",
        "/admin/functions?code=admin-guess-0815",
        "/api/guarded?name=x&Code=F-guarded#frag", "/api/boss?code=H-default",
      ] {
        _ = try await client.execute(uri: uri, method: .get)
      }
      _ = try await client.execute(
        uri: "/api/guarded",
        method: .get,
        headers: [HTTPField.Name("x-functions-key")!: "F-other"]
      )
    }
    let log = recording.records.joined(separator: "\n")
    #expect(log.contains("code=REDACTED"), "trace logging of the request target is on: \(log)")
    #expect(log.contains("failed on purpose"))
    for secret in [
      "M-master", "H-default", "F-guarded", "F-other", "not-a-key-4711", "admin-guess-0815",
    ] {
      #expect(!log.contains(secret), "\(secret) in the log:\n\(log)")
    }
  }

  @Test func hostStatusListsTheWorkers() async throws {
    let stub = StubDispatcher(functions: [])
    let workers = [
      WorkerStatus(slot: 1, pid: nil, isReady: false, outstanding: 0, starts: 3),
      WorkerStatus(slot: 0, pid: 4242, isReady: true, outstanding: 2, starts: 1),
    ]
    let door = HTTPFrontDoor(
      dispatcher: stub,
      logger: quietLogger,
      statusProvider: { HostStatus(workers: workers) }
    )
    try await door.makeApplication().test(.router) { client async throws in
      try await client.execute(uri: "/admin/host/status", method: .get) { response in
        #expect(response.status == .ok)
        let body = try #require(
          try JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8))
            as? [String: Any]
        )
        #expect(body["state"] as? String == "Running")
        #expect(body["readyWorkers"] as? Int == 1)
        let list = try #require(body["workers"] as? [[String: Any]])
        #expect(list.map { $0["slot"] as? Int } == [0, 1])
        #expect(list[0]["pid"] as? Int == 4242)
        #expect(list[0]["ready"] as? Bool == true)
        #expect(list[0]["inFlight"] as? Int == 2)
        #expect(list[0]["restarts"] as? Int == 0)
        #expect(list[1]["pid"] is NSNull)
        #expect(list[1]["restarts"] as? Int == 2)
        #expect(list[1]["starts"] as? Int == 3)
      }
      try await client.execute(uri: "/admin/host/status", method: .post) {
        #expect($0.status == .methodNotAllowed)
      }
    }
    #expect(HostStatus(workers: [workers[0]]).state == "Starting")
    // Without a provider the front door only knows that it runs.
    try await HTTPFrontDoor(dispatcher: stub, logger: quietLogger).makeApplication().test(.router) {
      client async throws in
      try await client.execute(uri: "/admin/host/status", method: .get) {
        #expect(String(buffer: $0.body) == #"{"state":"Running"}"#)
      }
    }
  }
}
