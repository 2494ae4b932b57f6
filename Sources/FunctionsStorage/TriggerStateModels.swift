public import Foundation

/// A timer's schedule status, as the stock host keeps it (`Last`, `Next`, `LastUpdated`).
public struct ScheduleStatus: Sendable, Hashable, Codable {
  /// The last occurrence that ran (`Date(timeIntervalSince1970: 0)` when it never ran).
  public var last: Date
  /// The next occurrence expected.
  public var next: Date
  /// When this status was written.
  public var lastUpdated: Date

  /// Creates a status.
  public init(last: Date, next: Date, lastUpdated: Date) {
    self.last = last
    self.next = next
    self.lastUpdated = lastUpdated
  }
}

/// A blob-trigger receipt: "this function has taken this version (ETag) of this blob".
public struct BlobReceiptKey: Sendable, Hashable {
  /// The function id (stock: `Host.Functions.<name>`).
  public var functionID: String
  /// The container.
  public var container: String
  /// The blob name.
  public var blobName: String
  /// The blob version's ETag.
  public var etag: String

  /// Creates a receipt key.
  public init(functionID: String, container: String, blobName: String, etag: String) {
    self.functionID = functionID
    self.container = container
    self.blobName = blobName
    self.etag = etag
  }
}

/// A change made through the store, for listeners that wake on writes instead of waiting for a poll.
public enum StoreChange: Sendable, Hashable {
  /// A message was put (or made visible by an update/release) in a queue.
  case messageAdded(queue: String)
  /// A blob was created or overwritten (content, not only metadata).
  case blobWritten(container: String, name: String)
  /// A host document (see ``FunctionsStore/hostDocument(_:)``) was written.
  case documentWritten(name: String)
}

/// A small document the host keeps in its store (the function keys, as the stock host keeps its
/// secrets in its storage account), with a version for optimistic updates.
public struct HostDocument: Sendable, Hashable {
  /// The document's bytes (the store does not interpret them).
  public var content: [UInt8]
  /// Increases by one with every write; the first write stores version 1.
  public var version: Int64

  /// Creates a document value.
  public init(content: [UInt8], version: Int64) {
    self.content = content
    self.version = version
  }
}
