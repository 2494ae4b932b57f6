/// An error raised by the conformance kit itself (not a scenario failure, which is a result).
///
/// ```swift
/// do { try await suite.run(worker) } catch let error as ConformanceError where error.code == .configuration {
///   print(error.message)
/// }
/// ```
public struct ConformanceError: Error, CustomStringConvertible {
  /// What kind of problem it is.
  public struct Code: Hashable, Sendable, CustomStringConvertible {
    private enum Value: String, Hashable, Sendable {
      case configuration, workerLaunch, transport, timeout, protocolViolation, fixture
    }
    private let value: Value
    private init(_ value: Value) { self.value = value }

    /// Bad arguments or options (unknown scenario name, bad worker command, …).
    public static let configuration = Code(.configuration)
    /// The worker process could not be started.
    public static let workerLaunch = Code(.workerLaunch)
    /// The mini host's gRPC server or stream failed.
    public static let transport = Code(.transport)
    /// An expected message did not arrive in time.
    public static let timeout = Code(.timeout)
    /// The worker sent something the protocol does not allow.
    public static let protocolViolation = Code(.protocolViolation)
    /// The fixture apps could not be written.
    public static let fixture = Code(.fixture)

    /// The code's name.
    public var description: String { value.rawValue }
  }

  /// What kind of problem it is.
  public var code: Code
  /// A sentence for people.
  public var message: String
  /// The underlying error, if any.
  public var cause: (any Error)?

  /// Creates an error.
  public init(code: Code, message: String, cause: (any Error)? = nil) {
    self.code = code
    self.message = message
    self.cause = cause
  }

  /// `code: message (cause)`.
  public var description: String {
    var text = "\(code): \(message)"
    if let cause { text += " (\(cause))" }
    return text
  }
}
