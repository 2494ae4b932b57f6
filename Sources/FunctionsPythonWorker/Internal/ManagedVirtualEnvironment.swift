internal import Logging

/// The on-disk layout of one managed virtual environment and the steps that build it.
struct ManagedVirtualEnvironment: Sendable {
  /// The marker written last; it holds the key, so a stale or partial directory never matches.
  static let markerName = ".functions-host-ready"

  /// `<cache>/venvs/<key>`.
  var directory: String
  /// The key the marker must contain.
  var key: String

  /// The environment's interpreter.
  var python: String { LocalFiles.join(directory, "bin", "python") }

  /// The ready marker's path.
  var marker: String { LocalFiles.join(directory, Self.markerName) }

  /// Whether the environment was completely built for this key: one file read and one stat.
  var isReady: Bool {
    LocalFiles.read(marker) == Array(key.utf8) && LocalFiles.isExecutableFile(python)
  }

  /// Removes leftovers of an interrupted attempt and runs `<base> -m venv <directory>`.
  func create(
    base: InterpreterInfo,
    environment: [String: String],
    logger: Logger,
    tailLimit: Int
  ) async throws(PythonEnvironmentError) {
    guard base.canCreateVirtualEnvironments else { throw Self.venvUnavailable(base) }
    LocalFiles.remove(directory)
    let arguments = ["-m", "venv", directory]
    let command = CommandRunner.describe(base.executable, arguments)
    let outcome: CommandRunner.Outcome
    do {
      outcome = try await CommandRunner.stream(
        base.executable,
        arguments,
        environment: environment,
        workingDirectory: nil,
        logger: logger,
        prefix: "venv: ",
        tailLimit: tailLimit
      )
    } catch {
      throw PythonEnvironmentError(
        code: .venvCreationFailed,
        message: "cannot run \(command): \(error)",
        cause: error
      )
    }
    guard outcome.succeeded else {
      LocalFiles.remove(directory)
      let output = outcome.output.joined(separator: "\n")
      if output.contains("ensurepip") || output.contains("No module named venv") {
        throw Self.venvUnavailable(base)
      }
      throw PythonEnvironmentError(
        code: .venvCreationFailed,
        message:
          "creating the virtual environment failed (\(outcome.status)): \(command)\n\(output)",
        fix: "check that \(LocalFiles.parent(of: directory)) is writable and has free space"
      )
    }
  }

  /// Writes the marker atomically; the environment counts as ready from then on.
  func markReady() throws(PythonEnvironmentError) {
    do {
      try LocalFiles.writeAtomically(Array(key.utf8), to: marker)
    } catch {
      throw PythonEnvironmentError(
        code: .cacheUnwritable,
        message: "cannot write \(marker): \(error)",
        cause: error
      )
    }
  }

  private static func venvUnavailable(_ base: InterpreterInfo) -> PythonEnvironmentError {
    PythonEnvironmentError(
      code: .venvUnavailable,
      message: "the Python interpreter \(base.executable) (Python \(base.version)) cannot create "
        + "virtual environments: its venv/ensurepip modules are missing",
      fix: "on Debian/Ubuntu: apt-get install python3-venv "
        + "(or python\(base.major).\(base.minor)-venv); or pass another interpreter with --python"
    )
  }
}
