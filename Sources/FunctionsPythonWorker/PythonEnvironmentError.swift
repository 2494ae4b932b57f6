/// An error preparing Python for the worker: what went wrong, for people, and how to fix it.
///
/// ```swift
/// do {
///   python = try await environment.prepare(appRoot: root, environment: env, logger: logger)
/// } catch let error as PythonEnvironmentError {
///   logger.error("\(error.message)")
///   if let fix = error.fix { logger.error("fix: \(fix)") }
/// }
/// ```
public struct PythonEnvironmentError: Error, Sendable, CustomStringConvertible {
  /// A stable, comparable error code.
  public struct Code: Hashable, Sendable, CustomStringConvertible {
    private enum Wrapped: String, Hashable, Sendable {
      case interpreterNotFound, unsupportedVersion, interpreterFailed, venvUnavailable
      case venvCreationFailed, pipFailed, requirementsMissing, workerFilesMissing, cacheUnwritable
    }
    private let wrapped: Wrapped
    private init(_ wrapped: Wrapped) { self.wrapped = wrapped }

    /// No Python interpreter was found: not on `PATH`, or the explicit path does not exist.
    public static let interpreterNotFound = Code(.interpreterNotFound)
    /// The interpreter is older than Python 3.9.
    public static let unsupportedVersion = Code(.unsupportedVersion)
    /// The interpreter could not be run or did not answer the version probe.
    public static let interpreterFailed = Code(.interpreterFailed)
    /// The interpreter lacks the `venv`/`ensurepip` modules (Debian/Ubuntu: `python3-venv`).
    public static let venvUnavailable = Code(.venvUnavailable)
    /// `python -m venv` failed for another reason.
    public static let venvCreationFailed = Code(.venvCreationFailed)
    /// `pip install` failed; the message carries the command and the end of pip's output.
    public static let pipFailed = Code(.pipFailed)
    /// A Python used as is (no managed virtual environment) lacks the worker's modules.
    public static let requirementsMissing = Code(.requirementsMissing)
    /// The worker's `requirements.txt` could not be read.
    public static let workerFilesMissing = Code(.workerFilesMissing)
    /// A file or directory in the cache could not be written.
    public static let cacheUnwritable = Code(.cacheUnwritable)

    /// The code's name, e.g. `pipFailed`.
    public var description: String { wrapped.rawValue }
  }

  /// What kind of error this is.
  public var code: Code
  /// What went wrong, naming the interpreter, path or command concerned.
  public var message: String
  /// What the user can do about it, if there is something.
  public var fix: String?
  /// The underlying error, if any.
  public var cause: (any Error)?

  /// Creates an error.
  public init(code: Code, message: String, fix: String? = nil, cause: (any Error)? = nil) {
    self.code = code
    self.message = message
    self.fix = fix
    self.cause = cause
  }

  /// `code: message`, then `fix: …` on a new line when there is a fix.
  public var description: String {
    var text = "\(code): \(message)"
    if let fix { text += "\nfix: \(fix)" }
    return text
  }
}
