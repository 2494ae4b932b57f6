package import Logging
internal import Subprocess

#if canImport(System)
internal import System
#else
internal import SystemPackage
#endif

/// Runs short-lived helper commands (`python -m venv`, `pip install`, the interpreter probe).
package enum CommandRunner {
  /// How a command ended.
  package struct Outcome: Sendable {
    /// Whether it exited with status 0.
    package var succeeded: Bool
    /// The termination, e.g. `exited(1)`.
    package var status: String
    /// Its standard output (collected runs) or the last lines of output and error (streamed runs).
    package var output: [String]
    /// Its standard error (collected runs only).
    package var errorOutput: String
  }

  /// Runs a command, logging every output line (standard output and error merged) at info level
  /// with `prefix`, and keeps the last `tailLimit` lines for error messages.
  ///
  /// - Throws: `SubprocessError` when the command cannot be started; a non-zero exit is an outcome.
  package static func stream(
    _ executable: String,
    _ arguments: [String],
    environment: [String: String],
    workingDirectory: String?,
    logger: Logger,
    prefix: String,
    tailLimit: Int
  ) async throws -> Outcome {
    let result = try await run(
      .path(FilePath(executable)),
      arguments: Arguments(arguments),
      environment: .custom(keys(environment)),
      workingDirectory: workingDirectory.map { FilePath($0) },
      input: .none,
      output: .sequence,
      error: .combinedWithOutput
    ) { execution in
      var tail: [String] = []
      for try await line in execution.standardOutput.strings() {
        logger.info("\(prefix)\(line)")
        tail.append(line)
        if tail.count > tailLimit { tail.removeFirst(tail.count - tailLimit) }
      }
      return tail
    }
    return Outcome(
      succeeded: result.terminationStatus.isSuccess,
      status: result.terminationStatus.description,
      output: result.closureResult,
      errorOutput: ""
    )
  }

  /// Runs a command and collects its output (at most 1 MiB of each stream).
  ///
  /// - Throws: `SubprocessError` when the command cannot be started; a non-zero exit is an outcome.
  package static func collect(
    _ executable: String,
    _ arguments: [String],
    environment: [String: String]
  ) async throws -> Outcome {
    let result = try await run(
      .path(FilePath(executable)),
      arguments: Arguments(arguments),
      environment: .custom(keys(environment)),
      output: .string(limit: 1 << 20),
      error: .string(limit: 1 << 20)
    )
    let output = result.standardOutput
      .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    return Outcome(
      succeeded: result.terminationStatus.isSuccess,
      status: result.terminationStatus.description,
      output: output,
      errorOutput: result.standardError
    )
  }

  /// A command line for messages, e.g. `/venv/bin/python -m pip install -r requirements.txt`.
  package static func describe(_ executable: String, _ arguments: [String]) -> String {
    ([executable] + arguments).map { word in
      word.contains(where: { $0 == " " || $0 == "'" || $0 == "\"" }) ? "'\(word)'" : word
    }.joined(separator: " ")
  }

  private static func keys(_ environment: [String: String]) -> [Environment.Key: String] {
    var keyed: [Environment.Key: String] = [:]
    for (name, value) in environment {
      if let key = Environment.Key(rawValue: name) { keyed[key] = value }
    }
    return keyed
  }
}
