import Foundation
import FunctionsPythonWorker
import Subprocess

#if canImport(System)
import System
#else
import SystemPackage
#endif

/// The machine's Python, for the tests that need a real interpreter.
enum TestPython {
  /// The test process's environment (tests may read it; the library may not).
  static let environment = ProcessInfo.processInfo.environment

  /// `python3` from `PATH`, or `nil` when there is none.
  static let python3: String? = InterpreterLocator.search("python3", environment: environment)

  /// Whether a real `python3` is available.
  static var isAvailable: Bool { python3 != nil }

  /// Runs `executable arguments…` and returns (exit succeeded, stdout + stderr).
  static func run(_ executable: String, _ arguments: [String]) async throws -> (Bool, String) {
    let result = try await Subprocess.run(
      .path(FilePath(executable)),
      arguments: Arguments(arguments),
      output: .string(limit: 1 << 20),
      error: .string(limit: 1 << 20)
    )
    return (result.terminationStatus.isSuccess, result.standardOutput + result.standardError)
  }

  /// A fake interpreter: a shell script that answers the probe with the given facts.
  static func writeFake(
    at path: String,
    version: String,
    canCreateVirtualEnvironments: Bool = true,
    isVirtualEnvironment: Bool = false,
    missing: String = ""
  ) throws {
    let script = """
      #!/bin/sh
      echo "\(path)"
      echo "\(version)"
      echo "\(version) (fake build)"
      echo "\(isVirtualEnvironment ? 1 : 0)"
      echo "\(canCreateVirtualEnvironments ? 1 : 0)"
      echo "\(missing)"
      """
    try TestFiles.write(script + "\n", to: path, executable: true)
  }
}
