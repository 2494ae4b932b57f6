import FunctionsTestSupport
import Foundation
import FunctionsHostCore
import FunctionsRPC
import Logging
import Testing

/// The decorator model (`function_app.py`, `func.FunctionApp()`, blueprints) through worker indexing
/// (protocol.md §2.10), the `use_default_metadata_indexing` fallback, and apps that index nothing.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct ProgrammingModelDecoratorTests {
  @Test func decoratorAppIsIndexedByTheFirstWorkerAndServedByEvery() async throws {
    try await LiveHost.with(fixture: "decorator", workers: 2) { live in
      // Indexed by the first worker: decorators and a registered blueprint, function.json-free.
      #expect(Set(live.report.functions.map(\.name)) == ["hello", "items", "pid", "on_queue", "from_blueprint"])
      #expect(live.report.indexingErrors.isEmpty, "\(live.report.indexingErrors)")
      #expect(live.report.loadErrors.isEmpty, "\(live.report.loadErrors)")
      #expect(live.report.readyWorkers == 2, "the second worker re-indexed function_app.py while loading")
      for function in live.report.functions {
        #expect(function.properties["worker_indexed"] == "True", "\(function.name): \(function.properties)")
        #expect(UUID(uuidString: function.functionID) != nil, "the worker's deterministic id: \(function.functionID)")
      }
      let items = try #require(live.report.functions.first { $0.name == "items" })
      #expect(items.trigger?.route == "items/{id}")
      #expect(items.trigger?.methods == ["GET"])
      #expect(Set(items.bindings.map(\.name)) == ["req", "msg", "$return"])

      let hello = try await live.request("GET", "/api/hello?name=Ada")
      #expect(hello.text == "Hello, Ada!")
      let json = try await live.request("POST", "/api/hello", body: Data(#"{"name": "Bo"}"#.utf8))
      #expect(json.text == "Hello, Bo!")
      let blueprint = try await live.request("GET", "/api/from-blueprint")
      #expect(blueprint.text == "registered from a blueprint")
      let item = try await live.request("GET", "/api/items/7")
      #expect(item.text == "7")
      #expect(try await live.request("POST", "/api/items/7").status == 405)

      // Outputs and a non-HTTP trigger, invoked directly.
      let output = try await live.host.invoke(
        InvocationInput(functionName: "items", inputData: [.named("req", .http(path: "/api/items/9", params: ["id": "9"]))]))
      #expect(output.outputData["msg"]?.string == "item 9")
      #expect(output.returnValue?.httpBodyText == "9")
      let queued = try await live.host.invoke(
        InvocationInput(functionName: "on_queue", inputData: [.named("msg", .string("q-1"))]))
      let logged = await live.log(containing: "queue message q-1 in on_queue")
      #expect(logged?.metadata["invocationId"] == queued.invocationID)

      // Both workers serve: concurrent calls land on two processes.
      let calls = try await live.concurrently(16, "GET", "/api/pid")
      #expect(calls.responses.allSatisfy { $0.status == 200 })
      let pids = Set(calls.responses.map(\.text))
      let workerPIDs = Set(live.host.workers().compactMap { $0.pid.map(String.init) })
      #expect(pids == workerPIDs, "served by \(pids), workers \(workerPIDs)")
    }
  }

  @Test func rawBindingsAreValidatedAndInvalidFunctionsAreReportedNotServed() async throws {
    try await LiveHost.with(fixture: "decorator-invalid") { live in
      #expect(live.report.functions.map(\.name) == ["ok"])
      let errors = live.report.indexingErrors.map(\.message)
      #expect(errors.contains { $0.contains("function '2fast'") && $0.contains("name is invalid") }, "\(errors)")
      #expect(errors.contains { $0.contains("function 'clash'") && $0.contains("req") }, "\(errors)")
      let ok = try await live.request("GET", "/api/ok")
      #expect(ok.text == "the valid function serves")
      #expect(try await live.request("GET", "/api/clash").status == 404)
    }
  }

  @Test func useDefaultMetadataIndexingFallsBackToFunctionJSON() async throws {
    // The worker finds no PYTHON_SCRIPT_FILE_NAME script, answers use_default_metadata_indexing, and the host
    // scans function.json folders instead (function_app.py would raise if it were imported).
    try await LiveHost.with(fixture: "default-indexing", configure: { $0.environment["PYTHON_SCRIPT_FILE_NAME"] = "not_here.py" }) {
      live in
      #expect(live.report.functions.map(\.name) == ["hello"])
      #expect(live.report.functions.first?.properties["worker_indexed"] == nil)
      let hello = try await live.request("GET", "/api/hello")
      #expect(hello.text == "indexed from function.json")
      #expect(!live.logs.records.contains { $0.message.contains("must not be imported") })
    }
  }

  @Test(arguments: [
    (
      "decorator-empty",
      ["function_app.py defines FunctionApp app but no functions", "@app.route", "app.register_functions"]
    ),
    (
      "decorator-no-app",
      ["has no top-level azure.functions.FunctionApp instance", "app.register_functions(bp)"]
    ),
    (
      "decorator-broken",
      ["ModuleNotFoundError: No module named 'not_in_requirements_pkg'", "function_app.py, line 3", "requirements.txt"]
    ),
  ])
  func anAppThatIndexesNoFunctionSaysWhyLoudly(fixture: String, reasons: [String]) async throws {
    try await LiveHost.with(fixture: fixture) { live in
      #expect(live.report.functions.isEmpty)
      let loud = await live.logs.first(timeout: .seconds(30)) { record in
        record.level >= .error && reasons.allSatisfy { record.message.contains($0) }
      }
      #expect(loud != nil, "an error in the host log gives the reason: \(live.logs.records.map(\.message))")
      if fixture == "decorator-empty" {
        let error = live.report.indexingErrors.map(\.message).joined(separator: "\n")
        #expect(error.contains("no functions found in") && error.contains("no functions: decorate"), "\(error)")
      }
    }
  }
}
