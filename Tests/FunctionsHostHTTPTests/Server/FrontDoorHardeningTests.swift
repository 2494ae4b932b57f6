import Foundation
import FunctionsHostCore
import Hummingbird
import HummingbirdTesting
import Logging
import ServiceLifecycle
import Synchronization
import Testing

@testable import FunctionsHostHTTP

/// Front-door limits and refusals from the hardening review (issue 13): the overall body budget, the
/// connection closed after a 413, CORS `*` with credentials refused, and `/admin` kept behind the master
/// key when function keys are off.
@Suite("HTTP front door hardening")
struct FrontDoorHardeningTests {
  private func withFrontDoor(
    _ stub: StubDispatcher,
    logger: Logger = quietLogger,
    _ configure: @escaping (inout HTTPFrontDoor.Configuration) -> Void = { _ in },
    _ body: (Int) async throws -> Void
  ) async throws {
    let frontDoor = HTTPFrontDoor(
      dispatcher: stub,
      configuration: .defaults {
        $0.port = 0
        // These tests are not about slow bodies: a loaded test run may answer after the rate grace.
        $0.minimumRequestBodyBytesPerSecond = nil
        configure(&$0)
      },
      logger: logger)
    let group = ServiceGroup(services: [frontDoor], logger: quietLogger)
    try await withThrowingTaskGroup(of: Void.self) { tasks in
      tasks.addTask { try await group.run() }
      let port = try await frontDoor.listeningAddress.port
      try await body(port)
      await group.triggerGracefulShutdown()
      try await tasks.waitForAll()
    }
  }

  // MARK: - 413 closes the connection

  @Test func a413ForADeclaredLengthIsAnsweredAtOnceAndTheConnectionClosedWithoutReadingTheBody() async throws {
    let stub = StubDispatcher(functions: [httpFunction("hello")])
    try await withFrontDoor(stub, { $0.maxRequestBodySize = 100 }) { port in
      let socket = try RawSocket(port: port)
      defer { socket.close() }
      // The body is never sent: the server must neither wait for it nor keep the connection.
      socket.send("POST /api/hello HTTP/1.1\r\nHost: a\r\nContent-Length: 5000\r\n\r\n")
      let (response, closed) = await socket.readToEnd()
      #expect(response.hasPrefix("HTTP/1.1 413"), "\(response)")
      #expect(response.lowercased().contains("connection: close"))
      #expect(closed)
    }
    #expect(stub.inputs.isEmpty)
  }

  @Test func a413ForAChunkedBodyClosesTheConnectionBeforeTheRestArrives() async throws {
    let stub = StubDispatcher(functions: [httpFunction("hello")])
    try await withFrontDoor(stub, { $0.maxRequestBodySize = 100 }) { port in
      let socket = try RawSocket(port: port)
      defer { socket.close() }
      let chunk = String(repeating: "x", count: 200)
      // One chunk over the limit, and no last chunk: the rest of the body never comes.
      socket.send("POST /api/hello HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nc8\r\n\(chunk)\r\n")
      let (response, closed) = await socket.readToEnd()
      #expect(response.hasPrefix("HTTP/1.1 413"), "\(response)")
      #expect(closed)
    }
    #expect(stub.inputs.isEmpty)
  }

  // MARK: - overall body budget

  @Test func bodiesBeyondTheOverallBudgetGet503UntilTheHeldOnesAreDone() async throws {
    let gate = Gate()
    let stub = StubDispatcher(functions: [httpFunction("hold"), httpFunction("hello")]) { input in
      if input.functionName == "hold" { await gate.enterAndWait() }
      return try await StubDispatcher.ok(input)
    }
    try await withFrontDoor(stub, {
      $0.maxRequestBodySize = 100
      $0.maxBufferedRequestBodyBytes = 150
    }) { port in
      let body = String(repeating: "b", count: 100)
      let held = try RawSocket(port: port)
      defer { held.close() }
      held.send("POST /api/hold HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n\(body)")
      await gate.waitUntilEntered()  // 100 of the 150 bytes are held now

      let refused = try RawSocket(port: port)
      defer { refused.close() }
      refused.send("POST /api/hello HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n\(body)")
      let (answer, closed) = await refused.readToEnd()
      #expect(answer.hasPrefix("HTTP/1.1 503"), "\(answer)")
      #expect(answer.lowercased().contains("retry-after: 1"))
      #expect(answer.contains("overloaded"))
      #expect(closed)

      // A chunked body is counted as it arrives.
      let chunked = try RawSocket(port: port)
      defer { chunked.close() }
      chunked.send("POST /api/hello HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n64\r\n\(body)\r\n0\r\n\r\n")
      #expect(await chunked.readToEnd().text.hasPrefix("HTTP/1.1 503"))

      // A small body still fits.
      let small = try RawSocket(port: port)
      defer { small.close() }
      small.send("POST /api/hello HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\nConnection: close\r\n\r\n0123456789")
      #expect(await small.readToEnd().text.hasPrefix("HTTP/1.1 200"))

      gate.open()
      #expect(await held.read(until: "ok:hold").contains("HTTP/1.1 200"))
      // The held body was given back: a full-size body is served again.
      let again = try RawSocket(port: port)
      defer { again.close() }
      again.send("POST /api/hello HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\nConnection: close\r\n\r\n\(body)")
      #expect(await again.readToEnd().text.hasPrefix("HTTP/1.1 200"))
    }
  }

  @Test func theBudgetIsNeverSmallerThanOneLargestBody() {
    let budget = BodyBudget(limit: 10)
    #expect(budget.reserve(6))
    #expect(!budget.reserve(5))
    #expect(budget.inUse == 6)
    budget.release(6)
    #expect(budget.reserve(10))
  }

  // MARK: - CORS `*` with credentials

  @Test func corsAnyOriginWithCredentialsIsRefusedAtStart() async throws {
    let policy = HTTPFrontDoor.CORSPolicy(allowedOrigins: ["https://a.example", " *"], allowsCredentials: true)
    #expect(throws: FunctionsHostError.self) { try policy.validate() }
    let frontDoor = HTTPFrontDoor(
      dispatcher: StubDispatcher(functions: []),
      configuration: .defaults {
        $0.port = 0
        $0.cors = policy
      },
      logger: quietLogger)
    do {
      try await frontDoor.run()
      Issue.record("the front door started with CORS '*' and credentials")
    } catch let error as FunctionsHostError {
      #expect(error.code == .configuration)
      #expect(error.message.contains("'*'") && error.message.contains("credentials"))
    }
    // Each alone is fine.
    try HTTPFrontDoor.CORSPolicy(allowedOrigins: ["*"]).validate()
    try HTTPFrontDoor.CORSPolicy(allowedOrigins: ["https://a.example"], allowsCredentials: true).validate()
  }

  // MARK: - function keys off, /admin still guarded

  static let keys = FunctionKeys(
    masterKey: "M-master", hostKeys: ["default": "H-default"], functionKeys: ["guarded": ["default": "F-guarded"]])

  @Test func withFunctionKeysOffFunctionsAreAnonymousButAdminNeedsTheMasterKey() async throws {
    let stub = StubDispatcher(functions: [httpFunction("guarded", authLevel: "function"), httpFunction("boss", authLevel: "admin")])
    let frontDoor = HTTPFrontDoor(
      dispatcher: stub,
      configuration: .defaults { $0.functionKeysRequired = false },
      logger: quietLogger,
      keys: Self.keys,
      statusProvider: { HostStatus(workers: []) })
    try await frontDoor.makeApplication().test(.router) { client in
      func status(_ uri: String, key: String? = nil) async throws -> HTTPResponse.Status {
        var headers = HTTPFields()
        if let key { headers[HTTPField.Name("x-functions-key")!] = key }
        return try await client.execute(uri: uri, method: .get, headers: headers).status
      }
      let open = try await status("/api/guarded")
      #expect(open == .ok)
      let boss = try await status("/api/boss")
      #expect(boss == .ok)
      let functions = try await status("/admin/functions")
      #expect(functions == .unauthorized)
      let hostStatus = try await status("/admin/host/status")
      #expect(hostStatus == .unauthorized)
      let withMaster = try await status("/admin/functions", key: "M-master")
      #expect(withMaster == .ok)
      let withHostKey = try await status("/admin/functions", key: "H-default")
      #expect(withHostKey == .unauthorized)
    }
  }

  @Test(arguments: [
    // (host, keys, function keys required, warns)
    ("127.0.0.1", false, true, false), ("localhost", false, true, false), ("::1", false, false, false),
    ("0.0.0.0", false, true, true), ("0.0.0.0", true, false, true), ("0.0.0.0", true, true, false),
    ("192.168.1.10", true, false, true),
  ])
  func openFunctionsOnANonLoopbackAddressAreWarnedAbout(host: String, keys: Bool, required: Bool, warns: Bool) {
    let configuration = HTTPFrontDoor.Configuration.defaults {
      $0.host = host
      $0.functionKeysRequired = required
    }
    let warning = configuration.exposureWarning(keysEnabled: keys)
    #expect((warning != nil) == warns, "\(host): \(warning ?? "no warning")")
    if let warning { #expect(warning.contains(host)) }
  }
}

/// Holds invocations until opened; says when one arrived.
final class Gate: Sendable {
  private struct State {
    var entered = false
    var isOpen = false
    var enteredWaiters: [CheckedContinuation<Void, Never>] = []
    var openWaiters: [CheckedContinuation<Void, Never>] = []
  }
  private let state = Mutex(State())

  /// Marks an arrival, then waits until ``open()``.
  func enterAndWait() async {
    let waiters = state.withLock { s in
      s.entered = true
      defer { s.enteredWaiters = [] }
      return s.enteredWaiters
    }
    for w in waiters { w.resume() }
    await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
      let resume = state.withLock { s in
        if s.isOpen { return true }
        s.openWaiters.append(c)
        return false
      }
      if resume { c.resume() }
    }
  }

  /// Returns once an invocation arrived.
  func waitUntilEntered() async {
    await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
      let resume = state.withLock { s in
        if s.entered { return true }
        s.enteredWaiters.append(c)
        return false
      }
      if resume { c.resume() }
    }
  }

  /// Lets every held invocation go on.
  func open() {
    let waiters = state.withLock { s in
      s.isOpen = true
      defer { s.openWaiters = [] }
      return s.openWaiters
    }
    for w in waiters { w.resume() }
  }
}
