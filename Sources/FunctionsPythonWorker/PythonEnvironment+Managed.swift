internal import Logging

extension PythonEnvironment {
  /// The managed virtual environment `<cache>/venvs/<key>/` for `base`, created on first use.
  func prepareManaged(
    base: InterpreterInfo,
    appRoot: String?,
    environment: [String: String],
    logger: Logger
  ) async throws -> PreparedPython {
    let workerRequirements = try workerRequirements()
    let appRequirementsFile = appRoot.map { LocalFiles.join($0, "requirements.txt") }
    let appRequirements = appRequirementsFile.flatMap(LocalFiles.read)
    let key = VirtualEnvironmentKey.make(
      interpreter: base,
      workerRequirements: workerRequirements,
      appRequirements: appRequirements
    )
    let venvs = LocalFiles.join(configuration.cacheDirectory, "venvs")
    let layout = ManagedVirtualEnvironment(directory: LocalFiles.join(venvs, key), key: key)
    let prepared = PreparedPython(
      executable: layout.python,
      environment: Self.activation(of: layout.directory, environment: environment),
      virtualEnvironment: layout.directory,
      version: base.version,
      origin: .managedVirtualEnvironment
    )

    if layout.isReady {
      logger.debug("reusing the managed Python environment \(layout.directory)")
      return prepared
    }
    do {
      try LocalFiles.createDirectory(venvs)
    } catch {
      throw PythonEnvironmentError(
        code: .cacheUnwritable,
        message: "cannot create \(venvs): \(error)",
        fix: "make the cache directory writable, or point XDG_CACHE_HOME at a writable directory",
        cause: error
      )
    }
    return try await FileLock.withExclusiveLock(at: layout.directory + ".lock", logger: logger) {
      if layout.isReady {
        logger.info(
          "the Python environment \(layout.directory) was prepared meanwhile; reusing it"
        )
        return prepared
      }
      let started = ContinuousClock.now
      logger.info(
        """
        creating a Python \(base.version) environment for the worker in \(layout.directory) \
        (first start only)
        """
      )
      try await layout.create(
        base: base,
        environment: environment,
        logger: logger,
        tailLimit: configuration.pipOutputLinesInErrors
      )
      var files = [configuration.workerRequirementsFile]
      if appRequirements != nil, let appRequirementsFile { files.append(appRequirementsFile) }
      try await PipInstaller.install(
        python: layout.python,
        requirementFiles: files,
        environment: environment,
        workingDirectory: appRoot,
        logger: logger,
        tailLimit: configuration.pipOutputLinesInErrors
      )
      try layout.markReady()
      let elapsed = (ContinuousClock.now - started).components
      let seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
      logger.info("Python environment ready in \((seconds * 10).rounded() / 10) s")
      return prepared
    }
  }
}
