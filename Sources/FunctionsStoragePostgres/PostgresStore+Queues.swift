internal import Foundation
public import FunctionsStorage
internal import PostgresNIO

extension PostgresStore {
  /// Creates a queue; see ``FunctionsStore/createQueue(_:metadata:)``.
  public func createQueue(_ name: String, metadata: [String: String]) async throws -> CreateOutcome {
    try NameRules.validateQueue(name)
    let encoded = MetadataCoding.encode(metadata)
    let what = "create queue '\(name)'"
    let inserted = try await rows(
      what, "INSERT INTO queue (name, metadata) VALUES (\(name), \(encoded)) ON CONFLICT DO NOTHING RETURNING 1")
    if !inserted.isEmpty { return .created }
    let existing = try await rows(what, "SELECT metadata FROM queue WHERE name = \(name)")
    guard let row = existing.first else {
      // Deleted between the two statements: try again once, as a new queue.
      let retried = try await rows(
        what, "INSERT INTO queue (name, metadata) VALUES (\(name), \(encoded)) ON CONFLICT DO NOTHING RETURNING 1")
      if !retried.isEmpty { return .created }
      throw StorageError(code: .serverBusy, message: "\(what): the queue is being created and deleted concurrently")
    }
    guard MetadataCoding.decode(try row.decode(String.self)) == metadata else {
      throw StorageError(code: .queueAlreadyExists, message: "queue '\(name)' already exists with different metadata")
    }
    return .alreadyExists
  }

  /// Deletes a queue and its messages; see ``FunctionsStore/deleteQueue(_:)``.
  public func deleteQueue(_ name: String) async throws {
    try NameRules.validateQueue(name)
    let deleted = try await rows("delete queue '\(name)'", "DELETE FROM queue WHERE name = \(name) RETURNING 1")
    guard !deleted.isEmpty else { throw Self.queueNotFound(name) }
  }

  /// The queue's metadata and message count; see ``FunctionsStore/queueInfo(_:)``.
  public func queueInfo(_ name: String) async throws -> QueueInfo? {
    try NameRules.validateQueue(name)
    let now = nowMicros()
    let found = try await rows(
      "read queue '\(name)'",
      """
      SELECT q.name, q.metadata,
        (SELECT count(*) FROM message m WHERE m.queue = q.name AND m.expires_at > \(now))
      FROM queue q WHERE q.name = \(name)
      """)
    return try found.first.map(Self.queueInfo(row:))
  }

  /// Replaces the queue's metadata; see ``FunctionsStore/setQueueMetadata(_:metadata:)``.
  public func setQueueMetadata(_ name: String, metadata: [String: String]) async throws {
    try NameRules.validateQueue(name)
    let encoded = MetadataCoding.encode(metadata)
    let updated = try await rows(
      "set metadata of queue '\(name)'", "UPDATE queue SET metadata = \(encoded) WHERE name = \(name) RETURNING 1")
    guard !updated.isEmpty else { throw Self.queueNotFound(name) }
  }

  /// Lists queues; see ``FunctionsStore/listQueues(prefix:marker:maxResults:)``.
  public func listQueues(prefix: String?, marker: String?, maxResults: Int) async throws -> Page<QueueInfo> {
    try Self.validateMaxResults(maxResults)
    let range = NameRange(prefix: prefix, marker: marker)
    let now = nowMicros()
    let found = try await rows(
      "list queues",
      """
      SELECT q.name, q.metadata,
        (SELECT count(*) FROM message m WHERE m.queue = q.name AND m.expires_at > \(now))
      FROM queue q
      WHERE q.name >= \(range.lower) AND starts_with(q.name, \(range.prefix))
      ORDER BY q.name LIMIT \(maxResults + 1)
      """)
    let items = try found.prefix(maxResults).map(Self.queueInfo(row:))
    let next = found.count > maxResults ? try found[maxResults].decode((String, String, Int).self).0 : nil
    return Page(items: items, nextMarker: next)
  }

  // MARK: Helpers

  static func queueInfo(row: PostgresRow) throws -> QueueInfo {
    let (name, metadata, count) = try row.decode((String, String, Int).self)
    return QueueInfo(name: name, metadata: MetadataCoding.decode(metadata), approximateMessageCount: count)
  }

  /// Whether the queue exists (inside the caller's transaction).
  func queueExists(_ connection: PostgresConnection, _ name: String) async throws -> Bool {
    try await !connection.rows("SELECT 1 FROM queue WHERE name = \(name)", logger: logger).isEmpty
  }

  static func queueNotFound(_ name: String) -> StorageError {
    StorageError(code: .queueNotFound, message: "queue '\(name)' does not exist")
  }

  static func validateMaxResults(_ maxResults: Int) throws(StorageError) {
    guard (1...5000).contains(maxResults) else {
      throw StorageError(
        code: .outOfRangeQueryParameterValue, message: "maxresults must be 1-5000; got \(maxResults)")
    }
  }
}

/// The names a listing covers: those starting with `prefix`, from `marker` on.
struct NameRange: Sendable {
  /// The prefix ("" for all names).
  var prefix: String
  /// The first name that may be listed (the greater of prefix and marker, as bytes).
  var lower: String

  init(prefix: String?, marker: String?) {
    self.prefix = prefix ?? ""
    let marker = marker ?? ""
    lower = Array(marker.utf8).lexicographicallyPrecedes(Array(self.prefix.utf8)) ? self.prefix : marker
  }
}
