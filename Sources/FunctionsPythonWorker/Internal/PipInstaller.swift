package import Logging

/// Runs `python -m pip install -r …` with its output streamed to the log.
package enum PipInstaller {
  /// Variables removed from pip's environment because they would send packages elsewhere.
  package static let removedVariables = ["PIP_USER", "PIP_TARGET", "PIP_PREFIX", "PYTHONHOME"]

  /// Installs `requirementFiles` into the environment of `python`.
  ///
  /// - Throws: ``PythonEnvironmentError`` `.pipFailed` with the command and pip's last lines.
  package static func install(
    python: String,
    requirementFiles: [String],
    environment: [String: String],
    workingDirectory: String?,
    logger: Logger,
    tailLimit: Int
  ) async throws(PythonEnvironmentError) {
    let arguments =
      [
        "-m", "pip", "install", "--disable-pip-version-check", "--no-input", "--progress-bar",
        "off",
      ]
      + requirementFiles.flatMap { ["-r", $0] }
    let command = CommandRunner.describe(python, arguments)
    var pipEnvironment = environment
    for name in removedVariables { pipEnvironment[name] = nil }
    pipEnvironment["PYTHONUNBUFFERED"] = "1"

    logger.info("installing Python packages: \(command)")
    let outcome: CommandRunner.Outcome
    do {
      outcome = try await CommandRunner.stream(
        python,
        arguments,
        environment: pipEnvironment,
        workingDirectory: workingDirectory,
        logger: logger,
        prefix: "pip: ",
        tailLimit: tailLimit
      )
    } catch {
      throw PythonEnvironmentError(
        code: .pipFailed,
        message: "cannot run pip: \(command): \(error)",
        fix: "check that \(python) exists and can run",
        cause: error
      )
    }
    guard outcome.succeeded else {
      let tail = outcome.output.map { "  " + $0 }.joined(separator: "\n")
      throw PythonEnvironmentError(
        code: .pipFailed,
        message: "pip install failed (\(outcome.status)): \(command)\n"
          + "last lines of pip's output:\n\(tail)",
        fix: "read pip's output above (network access, package names and versions, build tools), "
          + "fix the requirements, and start again; the command can be run by hand to retry"
      )
    }
  }
}
