import FunctionsTestSupport
import Foundation
import FunctionsHostCore
import FunctionsRPC
import Testing

/// The sample apps of `Examples/`, served by the real host and the bundled worker: `guide` (every section of
/// the developer guide, classic function.json folders in `__app__`) and `decorator` (the same in
/// function_app.py). Their own unit tests run with `scripts/test-python.sh`.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct ProgrammingModelExamplesTests {
  static let examples = "\(TestPython.packageRoot)/Examples"

  @Test func guideExampleServesEverySection() async throws {
    let live = try await LiveHost.start(appAt: "\(Self.examples)/guide/__app__")
    try await LiveHost.serving(live) { live in
      #expect(live.report.loadErrors.isEmpty, "\(live.report.loadErrors)")
      #expect(live.report.indexingErrors.isEmpty, "\(live.report.indexingErrors)")
      #expect(
        Set(live.report.functions.map(\.name)) == [
          "my_second_function", "alternate_entry", "my_first_function", "process_item", "enqueue", "log_levels",
          "HttpTrigger", "QueueTrigger", "async_example", "sync_example", "context_example", "cached", "app_setting",
          "temp_files", "cors_example",
        ])

      func get(_ path: String, headers: [String: String] = [:]) async throws -> RawHTTPResponse {
        try await live.request("GET", path, headers: headers)
      }
      #expect(try await get("/api/my_second_function?user=Ada").text == "Hello, Ada!")
      #expect(try await get("/api/alternate_entry").text == "Hello from customentry() in main.py")
      let imports = try #require(try await get("/api/my_first_function").json)
      #expect(imports["second_helper"] as? String == "Hello, Ada!")
      #expect(imports["same_package"] as? Bool == true)
      #expect(try await get("/api/enqueue?body=hello").text == "hello")
      #expect(try await get("/api/log_levels").text == "logged at every level")
      #expect(await live.log(containing: "a DEBUG message") != nil)
      #expect(await live.log(containing: "print() output is captured too") != nil)
      let http = try await get("/api/HttpTrigger?name=Ada")
      #expect(http.text == "Hello Ada")
      #expect(http.header("my-http-header") == "some-value")
      #expect(try await get("/api/HttpTrigger").status == 400)
      #expect(try await get("/api/async_example").text == "awaited without blocking the worker")
      #expect(try await get("/api/sync_example").text.hasPrefix("blocked functions-sync_"))
      let context = try #require(try await get("/api/context_example").json)
      #expect(context["function_name"] as? String == "context_example")
      #expect(try await get("/api/cached").text == "computed once, used 1 time(s)")
      #expect(try await get("/api/cached").text == "computed once, used 2 time(s)")
      #expect(try await get("/api/app_setting").text == "a value from local.settings.json")
      #expect(try await get("/api/temp_files").text.hasSuffix(": True"))
      let cors = try await live.request("OPTIONS", "/api/cors_example", headers: ["Origin": "https://contoso.com"])
      #expect(cors.header("Access-Control-Allow-Origin") == "https://contoso.com")

      // The non-HTTP functions, invoked directly.
      let item = try await live.host.invoke(
        InvocationInput(
          functionName: "process_item",
          inputData: [.named("msg", .string("item-1")), .named("obj", .bytes(Data("12345".utf8)))]))
      #expect(item.returnValue?.string == "item-1: 5 bytes")
      let queue = try await live.host.invoke(
        InvocationInput(functionName: "QueueTrigger", inputData: [.named("msg", .string("test"))]))
      #expect(queue.returnValue == nil, "no $return binding: the value is dropped, as in the stock worker")
    }
  }

  @Test func decoratorExampleServesItsFunctionsAndBlueprint() async throws {
    let live = try await LiveHost.start(appAt: "\(Self.examples)/decorator")
    try await LiveHost.serving(live) { live in
      #expect(
        Set(live.report.functions.map(\.name))
          == ["hello", "enqueue", "process_queue_item", "slow", "context_info", "setting", "get_order"])
      #expect(live.report.loadErrors.isEmpty, "\(live.report.loadErrors)")
      let hello = try await live.request("GET", "/api/hello?name=Ada")
      #expect(hello.text == "Hello, Ada!")
      let order = try #require(try await live.request("GET", "/api/orders/7").json)
      #expect(order["id"] as? Int == 7)
      #expect(try await live.request("GET", "/api/orders/seven").status == 404)
      #expect(try await live.request("GET", "/api/setting").text == "a value from local.settings.json")
      let slow = try await live.concurrently(6, "GET", "/api/slow")
      #expect(slow.responses.allSatisfy { $0.text == "awaited" })
      #expect(slow.elapsed < .seconds(3), "\(slow.elapsed)")
      let queued = try await live.host.invoke(
        InvocationInput(functionName: "process_queue_item", inputData: [.named("msg", .string("from the queue"))]))
      let logged = await live.log(containing: "process_queue_item got: from the queue")
      #expect(logged?.metadata["invocationId"] == queued.invocationID)
    }
  }
}
