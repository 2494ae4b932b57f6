public import FunctionsRPC

/// An error raised by the host, with a stable code and a message written for people.
///
/// ```swift
/// do { _ = try await host.invoke(input) }
/// catch let error as FunctionsHostError where error.code == .functionNotFound { … }
/// ```
public struct FunctionsHostError: Error, Sendable, CustomStringConvertible {
  /// A stable, comparable error code.
  public struct Code: Hashable, Sendable, CustomStringConvertible {
    private enum Wrapped: String, Hashable, Sendable {
      case configuration, functionNotFound, functionLoadFailed, functionFailed, functionCancelled
      case workerUnavailable, workerExited, timeout, overloaded, shuttingDown, protocolViolation
      case internalError, bindingFailed, proxyFailed
    }
    private let wrapped: Wrapped
    private init(_ wrapped: Wrapped) { self.wrapped = wrapped }

    /// Bad configuration: a file, field or value that the host cannot use.
    public static let configuration = Code(.configuration)
    /// No function with that name exists (or it is disabled).
    public static let functionNotFound = Code(.functionNotFound)
    /// The function exists, but the worker failed to load it.
    public static let functionLoadFailed = Code(.functionLoadFailed)
    /// The function ran and failed (the worker reported an exception).
    public static let functionFailed = Code(.functionFailed)
    /// The invocation was cancelled.
    public static let functionCancelled = Code(.functionCancelled)
    /// No worker is ready to take the invocation.
    public static let workerUnavailable = Code(.workerUnavailable)
    /// The worker running the invocation exited or lost its stream.
    public static let workerExited = Code(.workerExited)
    /// The invocation exceeded its time limit.
    public static let timeout = Code(.timeout)
    /// The host's queue is full; retry later.
    public static let overloaded = Code(.overloaded)
    /// The host is shutting down and takes no new work.
    public static let shuttingDown = Code(.shuttingDown)
    /// A worker broke the protocol.
    public static let protocolViolation = Code(.protocolViolation)
    /// A bug in the host.
    public static let internalError = Code(.internalError)
    /// An input or output binding could not be served (a blob that cannot be read, a queue message that
    /// cannot be written, an expression with no value); the invocation failed because of it.
    public static let bindingFailed = Code(.bindingFailed)

    /// The worker's own HTTP server (HTTP proxying) could not be reached, or broke off its answer.
    public static let proxyFailed = Code(.proxyFailed)

    /// The code's name, e.g. `functionFailed`.
    public var description: String { wrapped.rawValue }
  }

  /// What kind of error this is.
  public var code: Code
  /// A human message naming the file, field, value, function or worker concerned.
  public var message: String
  /// The invocation concerned, if any.
  public var invocationID: String?
  /// The exception reported by the worker, if any.
  public var exception: AzureFunctionsRpcMessages_RpcException?
  /// The underlying error, if any.
  public var cause: (any Error)?

  /// Creates an error.
  public init(
    code: Code, message: String, invocationID: String? = nil,
    exception: AzureFunctionsRpcMessages_RpcException? = nil, cause: (any Error)? = nil
  ) {
    self.code = code
    self.message = message
    self.invocationID = invocationID
    self.exception = exception
    self.cause = cause
  }

  /// `code: message`.
  public var description: String { "\(code): \(message)" }
}
