import FunctionsTestSupport
import Foundation
import FunctionsHostCore
import Logging
import Testing

/// The guide's "Logging", "Context", "Global variables", "Async", "Environment variables", "Temporary files"
/// sections and an exception in user code, through the real host and the bundled worker (fixture `model`).
@Suite(.serialized, .timeLimit(.minutes(3)))
struct ProgrammingModelRuntimeTests {
  @Test func rootAndNamedLoggersAtEveryLevelAndPrintReachTheHostLogTagged() async throws {
    try await LiveHost.with(fixture: "model") { live in
      let response = try await live.request("GET", "/api/logs?marker=lg-7")
      #expect(response.status == 200)
      let invocationID = response.text
      let levels: [(String, Logger.Level)] = [
        ("critical", .critical), ("error", .error), ("warning", .warning), ("info", .info), ("debug", .debug),
      ]
      for (level, swiftLevel) in levels {
        for (logger, category) in [("root", "root"), ("named", "my.named.logger")] {
          let record = await live.log(containing: "\(logger) \(level) lg-7")
          #expect(record?.level == swiftLevel, "\(logger) \(level): \(String(describing: record))")
          #expect(record?.metadata["invocationId"] == invocationID, "\(logger) \(level)")
          #expect(record?.metadata["function"] == "logs", "\(logger) \(level)")
          #expect(record?.metadata["category"] == category, "\(logger) \(level)")
        }
      }
      let printed = await live.log(containing: "printed lg-7")
      #expect(printed?.metadata["invocationId"] == invocationID)
      #expect(printed?.metadata["function"] == "logs")
    }
  }

  @Test func contextCarriesInvocationFunctionDirectoryTraceAndRetry() async throws {
    try await LiveHost.with(fixture: "model") { live in
      let traceID = "0af7651916cd43dd8448eb211c80319c"
      let traced = try await live.request(
        "GET", "/api/context", headers: ["traceparent": "00-\(traceID)-b7ad6b7169203331-01", "tracestate": "vendor=x"])
      let context = try #require(traced.json, "\(traced.text)")
      #expect(UUID(uuidString: context["invocation_id"] as? String ?? "") != nil)
      #expect(context["function_name"] as? String == "context")
      #expect(context["function_directory"] as? String == "\(live.appDirectory)/context")
      let parent = try #require(context["trace_parent"] as? String)
      #expect(parent.hasPrefix("00-\(traceID)-"), "the incoming trace continues: \(parent)")
      #expect(!parent.contains("b7ad6b7169203331"), "with a new span id: \(parent)")
      #expect(context["trace_state"] as? String == "vendor=x")
      #expect(context["retry_count"] as? Int == 0)
      #expect(context["max_retry_count"] as? Int == 0)

      let fresh = try #require(try await live.request("GET", "/api/context").json)
      let freshParent = try #require(fresh["trace_parent"] as? String)
      #expect(freshParent.wholeMatch(of: /00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]/) != nil, "\(freshParent)")
      #expect(!freshParent.contains(traceID))
      #expect(fresh["invocation_id"] as? String != context["invocation_id"] as? String)
    }
  }

  @Test func moduleLevelStatePersistsAcrossInvocationsInOneWorker() async throws {
    try await LiveHost.with(fixture: "model") { live in
      let first = try await live.request("GET", "/api/cache").text.split(separator: " ")
      let second = try await live.request("GET", "/api/cache").text.split(separator: " ")
      #expect(first.count == 2 && second.count == 2)
      #expect(first.first == second.first, "the cached value was loaded once, by the same process")
      #expect(first.last == "1" && second.last == "2")
    }
  }

  @Test func asyncFunctionsShareTheEventLoopAndSyncOnesOverlapInThePool() async throws {
    try await LiveHost.with(fixture: "model") { live in
      _ = try await live.request("GET", "/api/async_wait")  // warm: the function's module is imported
      // Twelve `await asyncio.sleep(0.5)` at once finish together, on the worker's event loop thread.
      let async = try await live.concurrently(12, "GET", "/api/async_wait")
      #expect(async.responses.allSatisfy { $0.status == 200 && $0.text == "MainThread" })
      #expect(async.elapsed < .seconds(3), "12 × 0.5 s awaited concurrently took \(async.elapsed)")

      // Twelve `time.sleep(0.5)` overlap in the pool (PYTHON_THREADPOOL_THREAD_COUNT=12 in local.settings.json).
      let sync = try await live.concurrently(12, "GET", "/api/sync_sleep")
      #expect(sync.responses.allSatisfy { $0.status == 200 })
      #expect(sync.elapsed < .seconds(3), "12 × 0.5 s slept in the pool took \(sync.elapsed)")
      let threads = Set(sync.responses.map(\.text))
      #expect(threads.allSatisfy { $0.hasPrefix("functions-sync_") }, "\(threads)")
      let indexes = threads.compactMap { Int($0.split(separator: "_").last ?? "") }
      #expect(indexes.allSatisfy { $0 < 12 }, "the pool has at most 12 threads: \(threads)")
      #expect(threads.count > 1, "sync calls ran on several pool threads: \(threads)")
    }
  }

  @Test func appSettingsAreEnvironmentVariablesAndTempfileWorks() async throws {
    try await LiveHost.with(fixture: "model") { live in
      let response = try await live.request("GET", "/api/environment")
      let body = try #require(response.json, "\(response.text)")
      #expect(body["myAppSetting"] as? String == "value-from-local-settings")
      #expect(body["worker_runtime"] as? String == "python")
      #expect(body["tempdir"] as? String == NSTemporaryDirectory().trimmingSuffix("/"))
      #expect(body["temp_file_listed"] as? Bool == true)
      #expect(await live.log(containing: "My app setting value:value-from-local-settings") != nil)
    }
  }

  @Test func hostJSONAndLocalSettingsAreReadAndValidated() async throws {
    try await LiveHost.with(fixture: "settings", configure: { $0.environment["FROM_HOST_ENVIRONMENT"] = "host value" }) {
      live in
      // extensions.http.routePrefix; Values (strings and numbers) and the host's environment in os.environ.
      let response = try await live.request("GET", "/v1/env")
      let body = try #require(response.json, "\(response.status) \(response.text)")
      #expect(body["FROM_LOCAL_SETTINGS"] as? String == "local value")
      #expect(body["A_NUMBER"] as? String == "42")
      #expect(body["FROM_HOST_ENVIRONMENT"] as? String == "host value")
      #expect(try await live.request("GET", "/api/env").status == 404)
      // An unknown host.json key is warned about, not silently ignored.
      let warning = await live.logs.first(timeout: .seconds(10)) {
        $0.level == .warning && $0.message.contains("unknown field 'madeUpKey'")
      }
      #expect(warning != nil, "\(live.logs.records.map(\.message))")
    }

    // IsEncrypted: true and a wrong host.json version are clear start-up errors naming file and field.
    for (file, text, expected) in [
      ("local.settings.json", #"{"IsEncrypted": true, "Values": {"A": "b"}}"#, "field 'IsEncrypted' is true"),
      ("host.json", #"{"version": "1.0"}"#, "field 'version' is \"1.0\"; it must be \"2.0\""),
    ] {
      let app = FileManager.default.temporaryDirectory.appendingPathComponent("fh-settings-\(UUID().uuidString)").path
      try FileManager.default.copyItem(
        atPath: "\(TestPython.packageRoot)/Tests/FunctionsIntegrationTests/Fixtures/settings", toPath: app)
      defer { try? FileManager.default.removeItem(atPath: app) }
      try text.write(toFile: "\(app)/\(file)", atomically: true, encoding: .utf8)
      let error = #expect(throws: FunctionsHostError.self) { _ = try FunctionApp.load(scriptRoot: app) }
      #expect(error?.code == .configuration)
      #expect(error?.message.contains("\(app)/\(file)") == true, "\(String(describing: error))")
      #expect(error?.message.contains(expected) == true, "\(String(describing: error))")
      let host = FunctionsHost(
        configuration: .init(scriptRoot: app, worker: try await TestPython.prepared().worker), logger: LogCapture().logger())
      await #expect(throws: FunctionsHostError.self) { try await host.run() }
    }
  }

  @Test func anExceptionIsA500AndItsStackTraceIsLoggedWithTheInvocationID() async throws {
    try await LiveHost.with(fixture: "model") { live in
      let response = try await live.request("GET", "/api/raises")
      #expect(response.status == 500)
      let body = try #require(response.json, "\(response.text)")
      let invocationID = try #require(body["invocationId"] as? String)
      #expect(response.text.contains("missing-key-for-the-test"))
      let logged = await live.logs.first(timeout: .seconds(30)) {
        $0.metadata["invocationId"] == invocationID && $0.message.contains("Traceback")
      }
      let trace = try #require(logged?.message, "the stack trace is logged with the invocation id")
      #expect(logged?.level == .error)
      #expect(trace.contains("raises/__init__.py\", line 6, in main"), "\(trace)")
      #expect(trace.contains("raises/__init__.py\", line 2, in helper"), "\(trace)")
      #expect(trace.contains("KeyError: 'missing-key-for-the-test'"), "\(trace)")
      // The worker carries on.
      #expect(try await live.request("GET", "/api/custom_entry").status == 200)
    }
  }
}

extension String {
  fileprivate func trimmingSuffix(_ suffix: String) -> String {
    hasSuffix(suffix) && count > suffix.count ? String(dropLast(suffix.count)) : self
  }
}
