import Foundation
import FunctionsConformance
import FunctionsHostCore
import FunctionsPythonWorker
import Logging

/// Workers under test: the bundled Python worker (environment prepared once per test process, cached in
/// .build/integration-cache like the integration tests) and the built functions-host binary's fake-worker mode.
enum TestWorkers {
  static let packageRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<4 { url.deleteLastPathComponent() }
    return url.path
  }()

  private static let bundled = Task<WorkerDescription, any Error> {
    let environment = ProcessInfo.processInfo.environment
    let cache = environment["FUNCTIONS_HOST_TEST_CACHE"] ?? "\(packageRoot)/.build/integration-cache"
    let worker = try BundledPythonWorker.materialize(into: cache)
    var logger = Logger(label: "test-python")
    logger.logLevel = .warning
    let python = try await PythonEnvironment(
      configuration: .defaults(cacheDirectory: cache, workerRequirementsFile: worker.requirementsFile) {
        $0.usesAppVirtualEnvironment = false
      }
    ).prepare(appRoot: nil, environment: environment, logger: logger)
    return WorkerDescription(
      executable: python.executable, workerPath: worker.workerScript, workerDirectory: worker.directory,
      environment: python.environment)
  }

  /// The bundled Python worker.
  static func bundledPython() async throws -> WorkerUnderTest {
    .process(try await bundled.value, name: "bundled Python worker")
  }

  /// The functions-host executable next to the test bundle (built by `swift build --build-tests`).
  static var functionsHostBinary: String? {
    let candidates = [
      URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("functions-host").path,
      "\(packageRoot)/.build/debug/functions-host",
    ]
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
  }

  /// A suite configuration for tests: the process environment, short timeouts for the fault modes.
  static func configuration(only: Set<String>? = nil, short: Bool = false) -> ConformanceSuite.Configuration {
    .defaults {
      $0.only = only
      $0.session.environment = ProcessInfo.processInfo.environment
      if short {
        $0.session.startTimeout = .seconds(3)
        $0.session.replyTimeout = .seconds(3)
        $0.session.invocationTimeout = .seconds(5)
      }
    }
  }
}
