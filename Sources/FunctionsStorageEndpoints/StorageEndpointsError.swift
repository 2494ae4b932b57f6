/// An error of the storage endpoints themselves (not of a request): a port already in use, a bad
/// configuration, or a server that stopped before listening.
///
/// ```swift
/// do { try await endpoints.run() }
/// catch let error as StorageEndpointsError where error.code == .portInUse {
///   print(error.message)   // port 10000 is in use (an Azurite running?); pass --blob-port N or …
/// }
/// ```
public struct StorageEndpointsError: Error, Sendable, Hashable, CustomStringConvertible {
  /// The kind of failure.
  public struct Code: Sendable, Hashable, CustomStringConvertible {
    private enum Value: String, Sendable, Hashable {
      case portInUse, bindFailed, invalidConfiguration, notRunning
    }

    private let value: Value

    private init(_ value: Value) { self.value = value }

    /// The Blob or Queue port is taken by another process.
    public static let portInUse = Code(.portInUse)
    /// The address could not be bound for another reason (bad host, permissions).
    public static let bindFailed = Code(.bindFailed)
    /// The configuration is unusable (e.g. the account key is not base64).
    public static let invalidConfiguration = Code(.invalidConfiguration)
    /// The endpoints stopped (or failed) before listening, so there is no address.
    public static let notRunning = Code(.notRunning)

    /// The code's name.
    public var description: String { value.rawValue }
  }

  /// The kind of failure.
  public var code: Code
  /// A message for people, naming the port and the flag to change when relevant.
  public var message: String
  /// The port concerned (``Code/portInUse``, ``Code/bindFailed``).
  public var port: Int?
  /// The command-line flag that sets that port (`--blob-port` or `--queue-port`).
  public var flag: String?

  /// Creates an error.
  public init(code: Code, message: String, port: Int? = nil, flag: String? = nil) {
    self.code = code
    self.message = message
    self.port = port
    self.flag = flag
  }

  /// `code: message`.
  public var description: String { "\(code): \(message)" }
}
