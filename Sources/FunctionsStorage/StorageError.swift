/// An error from the store, carrying the Azure Storage error code and HTTP status that the
/// Azure-compatible endpoints answer with (`x-ms-error-code`), and a message for people.
///
/// ```swift
/// do { try await store.deleteMessage(queue: "orders", id: id, popReceipt: receipt) }
/// catch let error as StorageError where error.code == .popReceiptMismatch { … }
/// ```
public struct StorageError: Error, Sendable, CustomStringConvertible {
  /// An Azure Storage error code (`QueueNotFound`, `BlobNotFound`, …) and its HTTP status.
  public struct Code: Hashable, Sendable, CustomStringConvertible {
    /// The `x-ms-error-code` value, e.g. `QueueNotFound`.
    public let rawValue: String
    /// The HTTP status Azure answers with for this code.
    public let status: Int

    /// Creates a code; prefer the named constants.
    public init(_ rawValue: String, status: Int) {
      self.rawValue = rawValue
      self.status = status
    }

    /// The queue does not exist (404).
    public static let queueNotFound = Code("QueueNotFound", status: 404)
    /// A queue of that name exists with other metadata (409).
    public static let queueAlreadyExists = Code("QueueAlreadyExists", status: 409)
    /// The message does not exist, or has expired (404).
    public static let messageNotFound = Code("MessageNotFound", status: 404)
    /// The pop receipt does not match the message's current one (400).
    public static let popReceiptMismatch = Code("PopReceiptMismatch", status: 400)
    /// The message body is larger than 64 KiB (413 in Azure: `RequestBodyTooLarge`).
    public static let messageTooLarge = Code("RequestBodyTooLarge", status: 413)
    /// The container does not exist (404).
    public static let containerNotFound = Code("ContainerNotFound", status: 404)
    /// The container already exists (409).
    public static let containerAlreadyExists = Code("ContainerAlreadyExists", status: 409)
    /// The blob does not exist (404).
    public static let blobNotFound = Code("BlobNotFound", status: 404)
    /// `If-None-Match: *` and the blob exists (409).
    public static let blobAlreadyExists = Code("BlobAlreadyExists", status: 409)
    /// A conditional header (If-Match, If-None-Match, If-Modified-Since, …) failed (412).
    public static let conditionNotMet = Code("ConditionNotMet", status: 412)
    /// The requested range is outside the blob (416).
    public static let invalidRange = Code("InvalidRange", status: 416)
    /// A block list names a block that was never uploaded (400).
    public static let invalidBlockList = Code("InvalidBlockList", status: 400)
    /// A name (queue, container, blob, block id) breaks Azure's naming rules (400).
    public static let invalidResourceName = Code("InvalidResourceName", status: 400)
    /// A query parameter is out of range (400), e.g. `numofmessages=40`.
    public static let outOfRangeQueryParameterValue = Code("OutOfRangeQueryParameterValue", status: 400)
    /// An input is malformed (400).
    public static let invalidInput = Code("InvalidInput", status: 400)
    /// The store itself failed (database error, disk full, connection lost) (500).
    public static let internalError = Code("InternalError", status: 500)
    /// The store is unreachable for now (503).
    public static let serverBusy = Code("ServerBusy", status: 503)

    /// The raw code.
    public var description: String { rawValue }
  }

  /// What kind of error this is.
  public var code: Code
  /// A human message naming the queue, container, blob or value concerned.
  public var message: String
  /// The underlying error, if any.
  public var cause: (any Error)?

  /// Creates an error.
  public init(code: Code, message: String, cause: (any Error)? = nil) {
    self.code = code
    self.message = message
    self.cause = cause
  }

  /// `code: message`.
  public var description: String { "\(code): \(message)" }
}
