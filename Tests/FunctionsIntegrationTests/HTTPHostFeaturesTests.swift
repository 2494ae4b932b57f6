import Foundation
import FunctionsHostCore
import FunctionsHostHTTP
import Logging
import FunctionsTestSupport
import Testing

/// Host-level HTTP features through the real host, real Python workers and real sockets:
/// CORS, function keys and authLevel, duplicate routes, `/admin/host/status`, and the
/// `functions-host start` command that wires them.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct HTTPHostFeaturesTests {
  static let fixtures =
    "\(TestPython.packageRoot)/Tests/FunctionsIntegrationTests/Fixtures/http-host"

  // MARK: - CORS

  @Test func hostCORSFromLocalSettingsAnswersPreflightsAndTagsResponses() async throws {
    let settings = try FunctionApp.load(scriptRoot: "\(Self.fixtures)/app").localSettings
    let policy = try #require(HTTPFrontDoor.CORSPolicy(settings: settings))
    #expect(policy.allowedOrigins == ["https://contoso.com", "http://localhost:3000"])
    #expect(policy.allowsCredentials)
    let live = try await LiveHost.start(
      fixture: "http-host/app",
      configureFrontDoor: { $0.cors = policy }
    )
    try await live.stoppingAfter {

      // The preflight is answered by the host, even for a function that lists options itself.
      let preflight = try await live.request(
        "OPTIONS",
        "/api/preflight",
        headers: [
          "Origin": "https://contoso.com", "Access-Control-Request-Method": "GET",
          "Access-Control-Request-Headers": "x-requested-with, content-type",
        ]
      )
      #expect(preflight.status == 204)
      #expect(preflight.text.isEmpty, "the function did not run: \(preflight.text)")
      #expect(preflight.header("Access-Control-Allow-Origin") == "https://contoso.com")
      #expect(preflight.header("Access-Control-Allow-Methods") == "GET")
      #expect(preflight.header("Access-Control-Allow-Headers") == "x-requested-with, content-type")
      #expect(preflight.header("Access-Control-Allow-Credentials") == "true")
      #expect(preflight.header("Access-Control-Max-Age") == "86400")
      #expect(preflight.header("Vary") == "Origin")

      let refused = try await live.request(
        "OPTIONS",
        "/api/open",
        headers: ["Origin": "https://evil.example", "Access-Control-Request-Method": "GET"]
      )
      #expect(refused.status == 204)
      #expect(refused.header("Access-Control-Allow-Origin") == nil)

      // Real requests from an allowed origin carry the headers; others and same-origin ones do not.
      let allowed = try await live.request(
        "GET",
        "/api/open",
        headers: ["Origin": "http://localhost:3000"]
      )
      #expect(allowed.status == 200)
      #expect(allowed.text == "open:GET")
      #expect(allowed.header("Access-Control-Allow-Origin") == "http://localhost:3000")
      #expect(allowed.header("Access-Control-Allow-Credentials") == "true")
      let foreign = try await live.request(
        "GET",
        "/api/open",
        headers: ["Origin": "https://evil.example"]
      )
      #expect(foreign.text == "open:GET")
      #expect(foreign.header("Access-Control-Allow-Origin") == nil)
      let plain = try await live.request("GET", "/api/open")
      #expect(plain.header("Access-Control-Allow-Origin") == nil)
      #expect(plain.header("Vary") == nil)

      try await live.stop()
    }
  }

  @Test func withHostCORSOffAFunctionListingOptionsReceivesThePreflight() async throws {
    let live = try await LiveHost.start(fixture: "http-host/app")
    try await live.stoppingAfter {

      let preflight = try await live.request(
        "OPTIONS",
        "/api/preflight",
        headers: ["Origin": "https://contoso.com", "Access-Control-Request-Method": "GET"]
      )
      #expect(preflight.status == 200)
      #expect(preflight.text == "preflight:OPTIONS")
      #expect(
        preflight.header("Access-Control-Allow-Origin") == "https://contoso.com",
        "set by the function"
      )
      // A function that does not list options answers 405, as for any other unlisted method.
      let open = try await live.request(
        "OPTIONS",
        "/api/open",
        headers: ["Origin": "https://contoso.com", "Access-Control-Request-Method": "GET"]
      )
      #expect(open.status == 405)

      try await live.stop()
    }
  }

  // MARK: - Keys

  @Test func keysGuardFunctionAndAdminLevelsAndNeverReachTheLog() async throws {
    let keys = FunctionKeys(
      masterKey: FunctionKeys.randomKey(),
      hostKeys: ["default": FunctionKeys.randomKey()],
      functionKeys: [
        "guarded": ["default": FunctionKeys.randomKey()],
        "other": ["default": FunctionKeys.randomKey()],
      ]
    )
    let master = keys.masterKey
    let host = keys.hostKeys["default"]!
    let guarded = keys.functionKeys["guarded"]!["default"]!
    let other = keys.functionKeys["other"]!["default"]!
    let live = try await LiveHost.start(fixture: "http-host/app", workers: 2, keys: keys)
    try await live.stoppingAfter {

      func status(_ path: String, key: String? = nil, method: String = "GET") async throws -> Int {
        try await live.request(method, path, headers: key.map { ["x-functions-key": $0] } ?? [:])
          .status
      }

      #expect(try await status("/api/open") == 200)
      // authLevel function: its own key, a host key or the master key; as header or ?code=.
      #expect(try await status("/api/guarded") == 401)
      #expect(try await status("/api/guarded", key: guarded) == 200)
      #expect(try await status("/api/guarded?code=\(guarded)") == 200)
      #expect(try await status("/api/guarded?code=\(host)", method: "POST") == 200)
      #expect(try await status("/api/guarded", key: master) == 200)
      #expect(try await status("/api/guarded", key: other) == 401)
      #expect(try await status("/api/guarded?code=\(guarded.dropLast())") == 401)
      #expect(try await status("/api/other?code=\(other)") == 200)
      // authLevel admin: the master key only.
      #expect(try await status("/api/boss", key: host) == 401)
      #expect(try await status("/api/boss", key: guarded) == 401)
      #expect(try await status("/api/boss?code=\(master)") == 200)

      let denied = try await live.request("GET", "/api/guarded?code=wrong-key")
      let body = try #require(denied.json, "\(denied.text)")
      #expect(body["code"] as? String == "unauthorized")
      #expect(body["function"] as? String == "guarded")
      let message = try #require(body["error"] as? String)
      #expect(
        message.contains("x-functions-key") && message.contains("'code' query parameter"),
        "\(message)"
      )

      // Admin endpoints: the master key, except ping.
      #expect(try await status("/admin/host/ping") == 200)
      #expect(try await status("/admin/functions") == 401)
      #expect(try await status("/admin/functions", key: host) == 401)
      #expect(try await status("/admin/functions?code=\(master)") == 200)
      #expect(try await status("/admin/host/status") == 401)

      // /admin/host/status lists the live workers.
      let statusResponse = try await live.request(
        "GET",
        "/admin/host/status",
        headers: ["x-functions-key": master]
      )
      #expect(statusResponse.status == 200)
      let hostStatus = try #require(statusResponse.json, "\(statusResponse.text)")
      #expect(hostStatus["state"] as? String == "Running")
      let workers = try #require(hostStatus["workers"] as? [[String: Any]])
      let expected = live.host.workers().sorted { $0.slot < $1.slot }
      #expect(workers.map { $0["slot"] as? Int } == [0, 1])
      #expect(workers.map { ($0["pid"] as? Int).map(Int32.init) } == expected.map(\.pid))
      #expect(workers.allSatisfy { $0["ready"] as? Bool == true && $0["inFlight"] as? Int == 0 })
      #expect(workers.allSatisfy { $0["restarts"] as? Int == 0 && $0["starts"] as? Int == 1 })
      for worker in expected {
        let pid = try #require(worker.pid)
        #expect(ProcessIdentity(pid: pid)?.isAlive == true, "worker \(pid) is a live process")
      }

      let log = live.logs.records.map { "\($0.message) \($0.metadata)" }.joined(separator: "\n")
      #expect(!log.isEmpty)
      for secret in [master, host, guarded, other] {
        #expect(!log.contains(secret), "a key reached the log")
      }

      try await live.stop()
    }
  }

  // MARK: - Duplicate routes

  @Test func duplicateRoutesAreRefusedAndReported() async throws {
    let live = try await LiveHost.start(fixture: "http-host/duplicates")
    try await live.stoppingAfter {

      let problems = HTTPFrontDoor.routeProblems(in: live.report.functions, routePrefix: "api")
      #expect(problems.map(\.kind) == [.duplicateRoute])
      #expect(problems.first?.functionNames == ["first", "second"])

      for method in ["GET", "POST"] {
        let refused = try await live.request(method, "/api/items/1")
        #expect(refused.status == 500)
        let body = try #require(refused.json, "\(refused.text)")
        #expect(body["code"] as? String == "routeConflict")
        let message = try #require(body["error"] as? String)
        #expect(message.contains("'first'") && message.contains("'second'"), "\(message)")
      }
      #expect((try await live.request("GET", "/api/fine")).text == "fine:GET")
      let logged = await live.logs.first(timeout: .seconds(10)) {
        $0.level == .error && $0.message.contains("duplicate HTTP route")
          && $0.message.contains("'second'")
      }
      #expect(logged != nil)

      try await live.stop()
    }
  }

  // MARK: - The start command

  /// A copy of a fixture app and a private cache folder, removed by `remove()`.
  struct Scratch {
    let app: String
    let cache: String
    let root: String

    init(fixture: String) throws {
      root =
        FileManager.default.temporaryDirectory.appendingPathComponent("fh-cli-\(UUID().uuidString)")
        .path
      app = "\(root)/app"
      cache = "\(root)/cache"
      try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
      try FileManager.default.copyItem(
        atPath: "\(HTTPHostFeaturesTests.fixtures)/\(fixture)",
        toPath: app
      )
    }

    func remove() { try? FileManager.default.removeItem(atPath: root) }
  }

  func startCommand(_ scratch: Scratch, _ extra: [String] = []) async throws -> CLIProcess {
    let binary = try #require(
      CLIProcess.binary,
      "build the functions-host binary first (swift build --build-tests)"
    )
    let python = try await TestPython.prepared().worker.executable
    return try CLIProcess(
      binary: binary,
      arguments: [
        "start", "--script-root", scratch.app, "--port", "0", "--python", python,
        "--cache-directory",
        scratch.cache,
      ] + extra
    )
  }

  /// The port in the banner's first URL (`http://127.0.0.1:<port>/…`).
  func bannerPort(_ stdout: String) throws -> Int {
    let marker = "http://127.0.0.1:"
    let start = try #require(stdout.range(of: marker), "no URL in the banner:\n\(stdout)")
      .upperBound
    return try #require(Int(stdout[start...].prefix { $0.isNumber }))
  }

  @Test func startFailsOnDuplicateRoutesNamingBothFunctions() async throws {
    let scratch = try Scratch(fixture: "duplicates")
    defer { scratch.remove() }
    let cli = try await startCommand(scratch)
    defer { cli.kill() }
    let status = await cli.waitForExit()
    #expect(status != nil && status != 0, "exit status \(String(describing: status))")
    let stderr = cli.stderr
    #expect(stderr.contains("start-up failed: duplicate HTTP route 'api/items/{id}'"), "\(stderr)")
    #expect(stderr.contains("'first'") && stderr.contains("'second'"), "\(stderr)")
    #expect(!cli.stdout.contains("Functions:"), "no banner for a host that refused to start")
  }

  @Test func firstStartCreatesThePrivateSecretsFileAndPrintsTheKeysOnlyOnce() async throws {
    let scratch = try Scratch(fixture: "app")
    defer { scratch.remove() }
    let secrets = FunctionKeysFile(
      path: FunctionKeysFile.defaultPath(scriptRoot: scratch.app, cacheDirectory: scratch.cache)
    )
    #expect(secrets.path.hasPrefix("\(scratch.cache)/secrets/app-"))

    // First start: keys created, written, printed.
    let first = try await startCommand(scratch)
    defer { first.kill() }
    #expect(
      await first.waitForStdout(containing: "Pass a key"),
      "stdout:\n\(first.stdout)\nstderr:\n\(first.stderr)"
    )
    let keys = try #require(try secrets.load(), "the secrets file exists after the first start")
    let mode =
      try FileManager.default.attributesOfItem(atPath: secrets.path)[.posixPermissions] as? Int
    #expect(mode == 0o600)
    let guardedKey = try #require(keys.functionKeys["guarded"]?["default"])
    #expect(keys.functionKeys["other"]?["default"] != nil)
    #expect(keys.functionKeys["open"] == nil && keys.functionKeys["boss"] == nil)
    let printed = first.stdout
    #expect(printed.contains("Keys created now"))
    for entry in keys.entries {
      #expect(printed.contains("\(entry): \(entry.value)"), "\(entry) printed")
    }
    #expect(
      printed.contains("guarded: [GET,POST]")
        && printed.contains("(authLevel function: needs a key)")
    )

    let port = try bannerPort(printed)
    #expect(try await RawHTTPClient.send(port: port, path: "/api/guarded").status == 401)
    let ok = try await RawHTTPClient.send(port: port, path: "/api/guarded?code=\(guardedKey)")
    #expect(ok.status == 200 && ok.text == "guarded:GET")
    let status = try await RawHTTPClient.send(
      port: port,
      path: "/admin/host/status?code=\(keys.masterKey)"
    )
    #expect(status.status == 200)
    #expect(
      ((status.json?["workers"] as? [[String: Any]])?.first?["pid"] as? Int) != nil,
      "\(status.text)"
    )
    #expect(try await RawHTTPClient.send(port: port, path: "/admin/host/status").status == 401)
    first.terminate()
    #expect(await first.waitForExit() == 0)
    for entry in keys.entries {
      #expect(!first.stderr.contains(entry.value), "\(entry) is not in the log")
    }
    // The keys live outside the app folder: nothing there holds them.
    let appFiles =
      FileManager.default.enumerator(atPath: scratch.app)?.allObjects as? [String] ?? []
    for file in appFiles {
      let text = (try? String(contentsOfFile: "\(scratch.app)/\(file)", encoding: .utf8)) ?? ""
      #expect(!text.contains(keys.masterKey), "\(file) holds the master key")
    }

    // Second start: same keys, nothing printed; --cors replaces Host.CORS.
    let second = try await startCommand(scratch, ["--cors", "https://flag.example"])
    defer { second.kill() }
    #expect(
      await second.waitForStdout(containing: "Pass a key"),
      "stdout:\n\(second.stdout)\nstderr:\n\(second.stderr)"
    )
    #expect(try secrets.load() == keys)
    #expect(second.stdout.contains("Keys: in \(secrets.path)"))
    #expect(second.stdout.contains("CORS: https://flag.example (with credentials)"))
    for entry in keys.entries {
      #expect(!second.stdout.contains(entry.value), "\(entry) printed again")
    }
    let port2 = try bannerPort(second.stdout)
    let flagged = try await RawHTTPClient.send(
      port: port2,
      method: "OPTIONS",
      path: "/api/open",
      headers: ["Origin": "https://flag.example", "Access-Control-Request-Method": "GET"]
    )
    #expect(
      flagged.status == 204
        && flagged.header("Access-Control-Allow-Origin") == "https://flag.example"
    )
    let replaced = try await RawHTTPClient.send(
      port: port2,
      method: "OPTIONS",
      path: "/api/open",
      headers: ["Origin": "https://contoso.com", "Access-Control-Request-Method": "GET"]
    )
    #expect(replaced.header("Access-Control-Allow-Origin") == nil)
    #expect(
      try await RawHTTPClient.send(
        port: port2,
        path: "/api/guarded",
        headers: ["x-functions-key": guardedKey]
      ).status == 200
    )
    second.terminate()
    #expect(await second.waitForExit() == 0, "stderr:\n\(second.stderr.suffix(6000))")
  }
}
