import Foundation
import FunctionsHostCore
import FunctionsHosting
import FunctionsRPC
import HTTPTypes
import Testing

/// The application with the real bundled Python worker: both ways of calling in-process, and the store.
@Suite(.serialized) struct FunctionsApplicationIntegrationTests {
  struct Order: Codable { var id: String; var items: [Item] }
  struct Item: Codable { var price: Double }
  struct Receipt: Codable { var id: String; var total: Double }

  @Test func httpFunctionInProcess() async throws {
    try await LiveApplication.with(appFolder: "\(LiveApplication.packageRoot)/Examples/hello") { (application: FunctionsApplication) async throws in
      let ready = try await application.waitUntilReady()
      #expect(ready.functions.map(\.name).sorted() == ["greet_json", "hello"])
      #expect(ready.httpAddress == nil)
      let (response, body) = try await application.respond(
        to: HTTPRequest(method: .get, scheme: "http", authority: "localhost", path: "/api/hello?name=Swift"))
      #expect(response.status == .ok)
      #expect(String(decoding: body, as: UTF8.self) == "Hello, Swift!")
      let (missing, _) = try await application.respond(
        to: HTTPRequest(method: .post, scheme: "http", authority: "localhost", path: "/api/hello"),
        body: Array("{}".utf8))
      #expect(missing.status == .badRequest)
    }
  }

  @Test func storageFunctionsInProcessAndThroughTheStore() async throws {
    try await LiveApplication.with(appFolder: "\(LiveApplication.packageRoot)/Examples/storage") { (application: FunctionsApplication) async throws in
      // By name, with a JSON trigger value: the output comes back and is written to the store.
      let order = Order(id: "in-process", items: [Item(price: 2), Item(price: 3)])
      let result = try await application.invoke("store_order", trigger: try FunctionValue(json: order))
      let receipt = try #require(try result.outputs["receipt"]?.decode(Receipt.self))
      #expect(receipt.id == "in-process" && receipt.total == 5)
      #expect(try await application.blob(container: "receipts", name: "in-process.json") != nil)

      // The timer, now.
      let tick = try await application.runTimer("heartbeat")
      #expect(tick.outputs["tick"]?.text?.hasPrefix("tick at") == true)

      // Through the store: a queue message the trigger picks up.
      try await application.sendQueueMessage(try FunctionValue(json: Order(id: "queued", items: [])), to: "orders")
      var stored: [UInt8]? = nil
      for _ in 0..<150 where stored == nil {
        stored = try await application.blob(container: "receipts", name: "queued.json")
        if stored == nil { try await Task.sleep(for: .milliseconds(200)) }
      }
      let queued = try #require(stored)
      #expect(try JSONDecoder().decode(Receipt.self, from: Data(queued)).id == "queued")

      try await application.putBlob("plain", container: "samples", name: "a.txt")
      #expect(try await application.blob(container: "samples", name: "a.txt") == Array("plain".utf8))
      #expect(try await application.blob(container: "samples", name: "missing") == nil)
    }
  }

  @Test func workerExceptionsAreFunctionsHostErrors() async throws {
    let app = try LiveApplication.writeApp([
      "boom": (
        #"{"bindings": [{"name": "msg", "type": "queueTrigger", "direction": "in", "queueName": "boom-in", "connection": "AzureWebJobsStorage"}]}"#,
        "def main(msg: str) -> None:\n    raise ValueError('boom: ' + msg)\n"
      ),
      "shout": (
        #"{"bindings": [{"name": "msg", "type": "queueTrigger", "direction": "in", "queueName": "shout-in", "connection": "AzureWebJobsStorage"}, {"name": "$return", "type": "queue", "direction": "out", "queueName": "loud", "connection": "AzureWebJobsStorage"}]}"#,
        "def main(msg: str) -> str:\n    return msg.upper()\n"
      ),
    ])
    defer { try? FileManager.default.removeItem(atPath: app) }
    try await LiveApplication.with(appFolder: app) { (application: FunctionsApplication) async throws in
      #expect(try await application.invoke("shout", trigger: "hi").returnValue == .text("HI"))
      await #expect {
        try await application.invoke("boom", trigger: "x")
      } throws: { error in
        guard let error = error as? FunctionsHostError else { return false }
        return error.code == .functionFailed && error.exception?.message.contains("boom: x") == true
      }
      await #expect {
        try await application.invoke("nope")
      } throws: { ($0 as? FunctionsHostError)?.code == .functionNotFound }
    }
  }
}
