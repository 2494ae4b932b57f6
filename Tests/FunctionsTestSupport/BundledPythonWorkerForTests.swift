internal import Foundation
package import FunctionsHostCore
internal import FunctionsPythonWorker
internal import Logging

/// Helpers shared by the test targets that run real workers (integration and conformance tests).
package enum TestSupport {
  /// The package's root folder.
  package static let packageRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
  }()

  /// Where prepared Python environments are cached between test runs (`FUNCTIONS_HOST_TEST_CACHE`,
  /// else `.build/integration-cache`).
  package static var cacheDirectory: String {
    ProcessInfo.processInfo.environment["FUNCTIONS_HOST_TEST_CACHE"] ?? "\(packageRoot)/.build/integration-cache"
  }

  private static let bundled = Task<WorkerDescription, any Error> {
    let environment = ProcessInfo.processInfo.environment
    let cache = cacheDirectory
    let worker = try BundledPythonWorker.materialize(into: cache)
    var logger = Logger(label: "test-python")
    logger.logLevel = .warning
    let python = try await PythonEnvironment(
      configuration: .defaults(cacheDirectory: cache, workerRequirementsFile: worker.requirementsFile) {
        $0.usesAppVirtualEnvironment = false
      }
    ).prepare(appRoot: nil, environment: environment, logger: logger)
    var description = WorkerDescription(
      executable: python.executable, workerPath: worker.workerScript, workerDirectory: worker.directory,
      environment: python.environment)
    description.supportsUnixSocketTransport = true
    description.readsWorkerIDFromEnvironment = true
    return description
  }

  /// The bundled Python worker in a prepared environment, once per test process.
  package static func bundledPythonWorker() async throws -> WorkerDescription { try await bundled.value }
}
