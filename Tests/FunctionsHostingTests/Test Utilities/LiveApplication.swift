import Foundation
import FunctionsHosting
import Logging
import ServiceLifecycle

/// Runs a real ``FunctionsApplication`` (bundled Python worker) for one test, with the Python environments
/// the integration tests prepare (`.build/integration-cache`, or `FUNCTIONS_HOST_TEST_CACHE`).
enum LiveApplication {
  static let packageRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<4 { url.deleteLastPathComponent() }
    return url.path
  }()

  /// Serves `appFolder` with a store of its own and no sockets, runs `body`, then shuts down.
  static func with<T: Sendable>(
    appFolder: String, configure: (inout FunctionsApplication.Configuration) -> Void = { _ in },
    _ body: (FunctionsApplication) async throws -> T
  ) async throws -> T {
    let environment = ProcessInfo.processInfo.environment
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("fa-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: scratch) }
    var logger = Logger(label: "functions-hosting-tests")
    logger.logLevel = .warning
    let configuration = FunctionsApplication.Configuration.defaults {
      $0.http = nil
      $0.storageEndpoints = nil
      $0.storage = .sqlite(path: "\(scratch)/store.sqlite")
      $0.environment = environment
      $0.cacheDirectory = environment["FUNCTIONS_HOST_TEST_CACHE"] ?? "\(packageRoot)/.build/integration-cache"
      configure(&$0)
    }
    let application = FunctionsApplication(appFolder: appFolder, configuration: configuration, logger: logger)
    // Shut down gracefully, as an embedder's service group would.
    let group = ServiceGroup(
      configuration: .init(services: [.init(service: application)], gracefulShutdownSignals: [], logger: logger))
    return try await withThrowingTaskGroup(of: T?.self) { tasks in
      tasks.addTask {
        try await group.run()
        return nil
      }
      do {
        _ = try await application.waitUntilReady()
        let result = try await body(application)
        await group.triggerGracefulShutdown()
        try await tasks.waitForAll()
        return result
      } catch {
        await group.triggerGracefulShutdown()
        try? await tasks.waitForAll()
        throw error
      }
    }
  }

  /// Writes a small app (`host.json` and one folder per function) into a temporary folder.
  static func writeApp(_ functions: [String: (functionJSON: String, code: String)]) throws -> String {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("fa-app-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    try #"{"version": "2.0"}"#.write(toFile: "\(root)/host.json", atomically: true, encoding: .utf8)
    let settings = #"{"IsEncrypted": false, "Values": {"FUNCTIONS_WORKER_RUNTIME": "python", "AzureWebJobsStorage": "UseDevelopmentStorage=true"}}"#
    try settings.write(toFile: "\(root)/local.settings.json", atomically: true, encoding: .utf8)
    for (name, function) in functions {
      try FileManager.default.createDirectory(atPath: "\(root)/\(name)", withIntermediateDirectories: true)
      try function.functionJSON.write(toFile: "\(root)/\(name)/function.json", atomically: true, encoding: .utf8)
      try function.code.write(toFile: "\(root)/\(name)/__init__.py", atomically: true, encoding: .utf8)
    }
    return root
  }
}
