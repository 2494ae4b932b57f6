internal import Logging

extension PythonEnvironment {
  /// An environment the user owns (`.venv`, activated or explicit): install missing worker
  /// requirements into it, then use it.
  func prepareExisting(
    python: String,
    virtualEnvironment: String,
    origin: PreparedPython.Origin,
    appRoot: String?,
    environment: [String: String],
    logger: Logger
  ) async throws -> PreparedPython {
    let info = try await InterpreterProbe.probe(
      python,
      modules: configuration.requiredModules,
      environment: environment
    )
    try Self.checkSupported(info, path: python)
    let prepared = PreparedPython(
      executable: python,
      environment: Self.activation(of: virtualEnvironment, environment: environment),
      virtualEnvironment: virtualEnvironment,
      version: info.version,
      origin: origin
    )
    guard !info.missingModules.isEmpty else {
      logger.debug("using the Python \(info.version) environment \(virtualEnvironment)")
      return prepared
    }

    _ = try workerRequirements()
    let missing = info.missingModules.joined(separator: ", ")
    let requirements = configuration.workerRequirementsFile
    logger.notice(
      """
      the Python environment \(virtualEnvironment) cannot import \(missing); \
      installing the worker requirements (\(requirements)) into it
      """
    )
    let lockName = "external-" + ContentHash.hex(of: Array(virtualEnvironment.utf8)) + ".lock"
    let venvs = LocalFiles.join(configuration.cacheDirectory, "venvs")
    try? LocalFiles.createDirectory(venvs)
    try await FileLock.withExclusiveLock(at: LocalFiles.join(venvs, lockName), logger: logger) {
      try await PipInstaller.install(
        python: python,
        requirementFiles: [configuration.workerRequirementsFile],
        environment: environment,
        workingDirectory: appRoot,
        logger: logger,
        tailLimit: configuration.pipOutputLinesInErrors
      )
    }
    return prepared
  }

  /// An interpreter used without a virtual environment: it must already have the worker's modules.
  func prepareAsIs(
    python: String,
    environment: [String: String],
    logger: Logger
  ) async throws -> PreparedPython {
    let info = try await InterpreterProbe.probe(
      python,
      modules: configuration.requiredModules,
      environment: environment
    )
    guard info.missingModules.isEmpty else {
      throw PythonEnvironmentError(
        code: .requirementsMissing,
        message: "the Python interpreter \(python) cannot import "
          + "\(info.missingModules.joined(separator: ", ")), which the worker needs",
        fix: "run \(python) -m pip install -r \(configuration.workerRequirementsFile), "
          + "or let functions-host manage a virtual environment"
      )
    }
    logger.debug("using the Python \(info.version) interpreter \(python) as is")
    return PreparedPython(
      executable: python,
      environment: [:],
      virtualEnvironment: nil,
      version: info.version,
      origin: .interpreter
    )
  }
}
