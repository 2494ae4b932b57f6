import Foundation
import FunctionsConformance
import FunctionsHostCore
import FunctionsPythonWorker
import FunctionsTestSupport
import Logging

/// Workers under test: the bundled Python worker (environment prepared once per test process, cached in
/// .build/integration-cache like the integration tests) and the built functions-host binary's fake-worker mode.
enum TestWorkers {
  static var packageRoot: String { TestSupport.packageRoot }

  /// The bundled Python worker.
  static func bundledPython() async throws -> WorkerUnderTest {
    .process(try await TestSupport.bundledPythonWorker(), name: "bundled Python worker")
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
