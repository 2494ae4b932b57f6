import Foundation
import FunctionsHosting
import HTTPTypes
import Logging
import ServiceLifecycle

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// Serves two Python function apps from Swift, calls their functions over HTTP and in-process, and
/// exits non-zero when an answer is not the expected one.
///
/// `swift run --package-path Examples/embedding Embedding [repository root]`
@main
struct Embedding {
  static func main() async throws {
    let root = CommandLine.arguments.dropFirst().first ?? FileManager.default.currentDirectoryPath
    var logger = Logger(label: "embedding")
    logger.logLevel = .warning
    let environment = ProcessInfo.processInfo.environment

    // Serve a folder: HTTP on a free port, queues/blobs/timers in a per-app store.
    let hello = FunctionsApplication(
      appFolder: "\(root)/Examples/hello",
      configuration: .defaults {
        $0.http = .init(port: 0)
        $0.environment = environment
      },
      logger: logger)
    let storage = FunctionsApplication(
      appFolder: "\(root)/Examples/storage",
      configuration: .defaults {
        $0.http = .init(port: 0)
        $0.storageEndpoints = nil
        $0.environment = environment
      },
      logger: logger)

    let group = ServiceGroup(services: [hello, storage], gracefulShutdownSignals: [.sigterm], logger: logger)
    let failures = try await withThrowingTaskGroup(of: [String].self) { tasks in
      tasks.addTask {
        try await group.run()
        return []
      }
      let failures = await check(hello: hello, storage: storage)
      await group.triggerGracefulShutdown()
      for try await _ in tasks {}
      return failures
    }
    for failure in failures { print("FAIL: \(failure)") }
    print(failures.isEmpty ? "embedding: every check passed" : "embedding: \(failures.count) check(s) failed")
    exit(failures.isEmpty ? 0 : 1)
  }

  /// Runs every check; returns the failures.
  static func check(hello: FunctionsApplication, storage: FunctionsApplication) async -> [String] {
    var failures: [String] = []
    func expect(_ what: String, _ actual: String?, _ expected: String) {
      if actual != expected { failures.append("\(what): got \(actual ?? "nil"), expected \(expected)") }
    }
    do {
      // Over HTTP, with URLSession.
      let address = try await hello.waitUntilReady().httpAddress!
      let url = URL(string: "\(address.url)/api/hello?name=Swift")!
      let (data, _) = try await URLSession.shared.data(from: url)
      expect("hello over HTTP", String(decoding: data, as: UTF8.self), "Hello, Swift!")

      // In-process: an HTTP function, without a socket.
      let (response, body) = try await hello.respond(
        to: HTTPRequest(method: .get, scheme: "http", authority: "localhost", path: "/api/hello?name=Swift"))
      expect("hello in-process", "\(response.status.code) \(String(decoding: body, as: UTF8.self))", "200 Hello, Swift!")

      // In-process: any function by name, with plain values in and out.
      let order = Order(id: "A-1", items: [.init(price: 2.5, quantity: 2)])
      let result = try await storage.invoke("store_order", trigger: try FunctionValue(json: order))
      let receipt = try result.outputs["receipt"]?.decode(Receipt.self)
      expect("store_order in-process", receipt.map { "\($0.id) \($0.total)" }, "A-1 5.0")

      // Through the store: a queue message the queue trigger picks up, as an Azure SDK would send it.
      try await storage.sendQueueMessage(try FunctionValue(json: Order(id: "B-2", items: [])), to: "orders")
      let blob = try await poll { try await storage.blob(container: "receipts", name: "B-2.json") }
      let queued = try blob.map { try JSONDecoder().decode(Receipt.self, from: Data($0)) }
      expect("store_order from the queue", queued?.id, "B-2")

      // A blob written from Swift, read by a function over HTTP.
      try await storage.putBlob("from Swift", container: "samples", name: "note")
      let items = try await storage.waitUntilReady().httpAddress!
      let (item, _) = try await URLSession.shared.data(from: URL(string: "\(items.url)/api/items/note")!)
      expect("get_item over HTTP", String(decoding: item, as: UTF8.self), "from Swift")

      // A timer function, now.
      let tick = try await storage.runTimer("heartbeat")
      expect("heartbeat now", tick.outputs["tick"]?.text.map { String($0.prefix(7)) }, "tick at")
    } catch {
      failures.append("unexpected error: \(error)")
    }
    return failures
  }

  /// Retries `read` for up to 30 seconds until it returns a value.
  static func poll<T: Sendable>(_ read: () async throws -> T?) async throws -> T? {
    for _ in 0..<150 {
      if let value = try await read() { return value }
      try await Task.sleep(for: .milliseconds(200))
    }
    return nil
  }
}

struct Order: Codable {
  struct Item: Codable {
    var price: Double
    var quantity: Int
  }
  var id: String
  var items: [Item]
}

struct Receipt: Codable {
  var id: String
  var total: Double
}
