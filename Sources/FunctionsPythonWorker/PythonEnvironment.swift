internal import Foundation
public import Logging

/// Prepares the Python interpreter that runs the worker.
///
/// In order of preference it uses:
/// 1. the interpreter given explicitly (``Configuration/interpreter``, from `--python`);
/// 2. the app's own `<appRoot>/.venv/bin/python`;
/// 3. `python3`, then `python`, on the `PATH` of the environment passed in.
///
/// An interpreter that already runs in a virtual environment (the app's `.venv`, an activated
/// one, or one given explicitly) is used as is; if it cannot import the worker's modules, the
/// worker requirements are installed into it with pip, and the log says so.
///
/// Any other interpreter gets a managed virtual environment in `<cache>/venvs/<key>/`, where the
/// key hashes the interpreter (real path and `sys.version`), the worker's `requirements.txt` and
/// the app's `requirements.txt`. It is created with `python -m venv`, filled with
/// `pip install -r …` (pip's output is logged line by line with the prefix `pip: `), and marked
/// ready with a `.functions-host-ready` file holding the key. A warm start reads that marker and
/// runs no pip; concurrent starts serialize on a lock file, so a half-built environment is never
/// used.
///
/// ```swift
/// let env = ProcessInfo.processInfo.environment          // only the CLI reads the environment
/// let cache = BundledPythonWorker.defaultCacheDirectory(environment: env)
/// let worker = try BundledPythonWorker.materialize(into: cache)
/// let python = try await PythonEnvironment(
///   configuration: .defaults(
///     cacheDirectory: cache, workerRequirementsFile: worker.requirementsFile)
/// ).prepare(appRoot: "Examples/hello", environment: env, logger: logger)
/// // start: python.executable worker.workerScript …, environment env + python.environment
/// ```
public struct PythonEnvironment: Sendable {
  /// How the interpreter is picked and prepared.
  public var configuration: Configuration

  /// Creates a preparer.
  public init(configuration: Configuration) {
    self.configuration = configuration
  }

  /// Finds the interpreter and makes sure it can run the worker, installing what is missing.
  ///
  /// - Parameters:
  ///   - appRoot: The function app's directory (for `.venv` and `requirements.txt`), if any.
  ///   - environment: The environment variables for `PATH` lookup and for the commands run
  ///     (pip honours `PIP_INDEX_URL`, proxies and so on from it).
  ///   - logger: Receives progress, including every line of pip's output at info level.
  /// - Returns: The executable to run the worker with and the variables to add to its environment.
  /// - Throws: ``PythonEnvironmentError`` naming the interpreter, command or file, with a fix;
  ///   `CancellationError` when the task is cancelled.
  public func prepare(
    appRoot: String?,
    environment: [String: String],
    logger: Logger
  ) async throws -> PreparedPython {
    let currentDirectory = FileManager.default.currentDirectoryPath
    let app = appRoot.map { LocalFiles.absolute($0, relativeTo: currentDirectory) }
    let located = try InterpreterLocator.locate(
      explicit: configuration.interpreter,
      appRoot: configuration.usesAppVirtualEnvironment ? app : nil,
      environment: environment,
      currentDirectory: currentDirectory
    )

    if case .appVirtualEnvironment(let venv) = located.source {
      return try await prepareExisting(
        python: located.path,
        virtualEnvironment: venv,
        origin: .appVirtualEnvironment,
        appRoot: app,
        environment: environment,
        logger: logger
      )
    }

    let base = try await InterpreterProbe.cachedProbe(
      located.path,
      cacheDirectory: configuration.cacheDirectory,
      environment: environment
    )
    try Self.checkSupported(base, path: located.path)
    if base.isVirtualEnvironment {
      // An activated or explicitly given environment: the user chose it, so use it.
      let venv = LocalFiles.parent(of: LocalFiles.parent(of: located.path))
      return try await prepareExisting(
        python: located.path,
        virtualEnvironment: venv,
        origin: .externalVirtualEnvironment,
        appRoot: app,
        environment: environment,
        logger: logger
      )
    }
    guard configuration.usesManagedVirtualEnvironment else {
      return try await prepareAsIs(python: located.path, environment: environment, logger: logger)
    }
    return try await prepareManaged(
      base: base,
      appRoot: app,
      environment: environment,
      logger: logger
    )
  }

  /// Rejects interpreters older than 3.9.
  static func checkSupported(_ info: InterpreterInfo, path: String) throws(PythonEnvironmentError) {
    guard info.isSupported else {
      throw PythonEnvironmentError(
        code: .unsupportedVersion,
        message: "the Python interpreter \(path) is Python \(info.version); "
          + "the worker needs Python 3.9 or newer",
        fix: "install Python 3.9+ and pass it with --python, or put it first on PATH as python3"
      )
    }
  }

  /// `VIRTUAL_ENV` and `PATH` (with the environment's `bin` first) for a virtual environment.
  static func activation(of venv: String, environment: [String: String]) -> [String: String] {
    let bin = LocalFiles.join(venv, "bin")
    let path = environment["PATH"].map { bin + ":" + $0 } ?? bin
    return ["VIRTUAL_ENV": venv, "PATH": path]
  }

  /// The worker's `requirements.txt` path, checked to be readable.
  func workerRequirements() throws(PythonEnvironmentError) -> [UInt8] {
    guard let bytes = LocalFiles.read(configuration.workerRequirementsFile) else {
      throw PythonEnvironmentError(
        code: .workerFilesMissing,
        message:
          "the worker requirements file \(configuration.workerRequirementsFile) cannot be read",
        fix: "materialize the bundled worker again (BundledPythonWorker.materialize) "
          + "and pass its requirementsFile"
      )
    }
    return bytes
  }
}
