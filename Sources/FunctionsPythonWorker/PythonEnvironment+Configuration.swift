extension PythonEnvironment {
  /// How ``PythonEnvironment`` picks and prepares the interpreter.
  ///
  /// ```swift
  /// let worker = try BundledPythonWorker.materialize(into: cache)
  /// let configuration = PythonEnvironment.Configuration.defaults(
  ///   cacheDirectory: cache, workerRequirementsFile: worker.requirementsFile
  /// ) {
  ///   $0.interpreter = "/opt/python3.12/bin/python3"
  /// }
  /// ```
  public struct Configuration: Sendable, Hashable {
    /// The interpreter given explicitly (`--python`): a path, or a name looked up on `PATH`.
    ///
    /// `nil` (the default) uses the app's `.venv`, else `python3`, else `python` from `PATH`.
    public var interpreter: String?

    /// The cache root: managed environments go in `venvs/`, interpreter probes in `interpreters/`.
    public var cacheDirectory: String

    /// The worker's `requirements.txt` (usually ``BundledWorkerLocation/requirementsFile``).
    public var workerRequirementsFile: String

    /// Whether `<appRoot>/.venv/bin/python` is used when it exists and no ``interpreter`` is given.
    ///
    /// Default `true`. Missing worker modules are then installed into that environment with pip.
    public var usesAppVirtualEnvironment: Bool

    /// Whether a managed virtual environment is created under ``cacheDirectory`` for an interpreter
    /// that is not itself in a virtual environment.
    ///
    /// Default `true`. When `false`, the interpreter is used as is, nothing is installed, and
    /// preparing fails with `.requirementsMissing` if it lacks ``requiredModules``.
    public var usesManagedVirtualEnvironment: Bool

    /// The modules the worker imports; checked in environments this library does not manage.
    ///
    /// Default `["grpc", "google.protobuf", "azure.functions"]`.
    public var requiredModules: [String]

    /// How many of pip's last output lines an error message quotes. Default 20.
    public var pipOutputLinesInErrors: Int

    /// Creates a configuration with the defaults for everything but the two paths.
    public init(cacheDirectory: String, workerRequirementsFile: String) {
      self.interpreter = nil
      self.cacheDirectory = cacheDirectory
      self.workerRequirementsFile = workerRequirementsFile
      self.usesAppVirtualEnvironment = true
      self.usesManagedVirtualEnvironment = true
      self.requiredModules = ["grpc", "google.protobuf", "azure.functions"]
      self.pipOutputLinesInErrors = 20
    }

    /// The defaults, optionally adjusted by `configure`.
    public static func defaults(
      cacheDirectory: String,
      workerRequirementsFile: String,
      _ configure: (inout Configuration) -> Void = { _ in }
    ) -> Configuration {
      var configuration = Configuration(
        cacheDirectory: cacheDirectory,
        workerRequirementsFile: workerRequirementsFile
      )
      configure(&configuration)
      return configuration
    }
  }
}
