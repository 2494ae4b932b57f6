/// A Python ready to run the worker: the executable and what to add to its environment.
///
/// ```swift
/// let python = try await pythonEnvironment.prepare(
///   appRoot: "Examples/hello", environment: env, logger: logger)
/// // run python.executable <worker.py> … with env.merging(python.environment) { $1 }
/// ```
public struct PreparedPython: Sendable, Hashable {
  /// Where the interpreter came from.
  public struct Origin: Hashable, Sendable, CustomStringConvertible {
    private enum Wrapped: String, Hashable, Sendable {
      case managedVirtualEnvironment, appVirtualEnvironment, externalVirtualEnvironment, interpreter
    }
    private let wrapped: Wrapped
    private init(_ wrapped: Wrapped) { self.wrapped = wrapped }

    /// A virtual environment this library created and keeps under the cache directory.
    public static let managedVirtualEnvironment = Origin(.managedVirtualEnvironment)
    /// The app's own `.venv`.
    public static let appVirtualEnvironment = Origin(.appVirtualEnvironment)
    /// A virtual environment's interpreter given explicitly with `--python`.
    public static let externalVirtualEnvironment = Origin(.externalVirtualEnvironment)
    /// An interpreter used as is, without a virtual environment.
    public static let interpreter = Origin(.interpreter)

    /// The origin's name, e.g. `managedVirtualEnvironment`.
    public var description: String { wrapped.rawValue }
  }

  /// The Python executable to start the worker with.
  public var executable: String
  /// Variables to add to the worker's environment (`VIRTUAL_ENV` and `PATH` for an environment).
  public var environment: [String: String]
  /// The virtual environment's directory, if the executable belongs to one.
  public var virtualEnvironment: String?
  /// The Python version, e.g. `3.11.7`.
  public var version: String
  /// Where the interpreter came from.
  public var origin: Origin

  /// Creates a value.
  public init(
    executable: String,
    environment: [String: String],
    virtualEnvironment: String?,
    version: String,
    origin: Origin
  ) {
    self.executable = executable
    self.environment = environment
    self.virtualEnvironment = virtualEnvironment
    self.version = version
    self.origin = origin
  }
}
