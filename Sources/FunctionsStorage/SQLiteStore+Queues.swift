internal import Foundation
internal import GRDB

extension SQLiteStore {
  /// Creates a queue; see ``FunctionsStore/createQueue(_:metadata:)``.
  public func createQueue(_ name: String, metadata: [String: String]) async throws -> CreateOutcome {
    try NameRules.validateQueue(name)
    let encoded = MetadataCoding.encode(metadata)
    return try await write("create queue '\(name)'") { db in
      if let existing = try String.fetchOne(
        db.cachedStatement(sql: "SELECT metadata FROM queue WHERE name = ?"), arguments: [name])
      {
        guard MetadataCoding.decode(existing) == metadata else {
          throw StorageError(
            code: .queueAlreadyExists, message: "queue '\(name)' already exists with different metadata")
        }
        return .alreadyExists
      }
      try db.cachedStatement(sql: "INSERT INTO queue (name, metadata) VALUES (?, ?)")
        .execute(arguments: [name, encoded])
      return .created
    }
  }

  /// Deletes a queue and its messages; see ``FunctionsStore/deleteQueue(_:)``.
  public func deleteQueue(_ name: String) async throws {
    try NameRules.validateQueue(name)
    try await write("delete queue '\(name)'") { db in
      try db.cachedStatement(sql: "DELETE FROM queue WHERE name = ?").execute(arguments: [name])
      guard db.changesCount > 0 else { throw Self.queueNotFound(name) }
    }
  }

  /// The queue's metadata and message count; see ``FunctionsStore/queueInfo(_:)``.
  public func queueInfo(_ name: String) async throws -> QueueInfo? {
    try NameRules.validateQueue(name)
    let now = nowMicros()
    return try await read("read queue '\(name)'") { db in
      guard
        let row = try Row.fetchOne(
          db.cachedStatement(sql: "SELECT name, metadata FROM queue WHERE name = ?"), arguments: [name])
      else { return nil }
      return try Self.queueInfo(db, row: row, now: now)
    }
  }

  /// Replaces the queue's metadata; see ``FunctionsStore/setQueueMetadata(_:metadata:)``.
  public func setQueueMetadata(_ name: String, metadata: [String: String]) async throws {
    try NameRules.validateQueue(name)
    let encoded = MetadataCoding.encode(metadata)
    try await write("set metadata of queue '\(name)'") { db in
      try db.cachedStatement(sql: "UPDATE queue SET metadata = ? WHERE name = ?").execute(arguments: [encoded, name])
      guard db.changesCount > 0 else { throw Self.queueNotFound(name) }
    }
  }

  /// Lists queues; see ``FunctionsStore/listQueues(prefix:marker:maxResults:)``.
  public func listQueues(prefix: String?, marker: String?, maxResults: Int) async throws -> Page<QueueInfo> {
    try Self.validateMaxResults(maxResults)
    let range = NameRange(prefix: prefix, marker: marker)
    let now = nowMicros()
    return try await read("list queues") { db in
      let rows = try Row.fetchAll(
        db.cachedStatement(
          sql: """
            SELECT name, metadata FROM queue
            WHERE name >= ? AND name < ? AND substr(name, 1, length(?)) = ?
            ORDER BY name LIMIT ?
            """),
        arguments: [range.lower, range.upper, range.prefix, range.prefix, maxResults + 1])
      var items: [QueueInfo] = []
      for row in rows.prefix(maxResults) { items.append(try Self.queueInfo(db, row: row, now: now)) }
      let next: String? = rows.count > maxResults ? rows[maxResults][0] : nil
      return Page(items: items, nextMarker: next)
    }
  }

  // MARK: Helpers

  static func queueInfo(_ db: Database, row: Row, now: Int64) throws -> QueueInfo {
    let name: String = row[0]
    let count =
      try Int.fetchOne(
        db.cachedStatement(sql: "SELECT COUNT(*) FROM message WHERE queue = ? AND expires_at > ?"),
        arguments: [name, now]) ?? 0
    return QueueInfo(name: name, metadata: MetadataCoding.decode(row[1]), approximateMessageCount: count)
  }

  static func queueExists(_ db: Database, _ name: String) throws -> Bool {
    try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM queue WHERE name = ?"), arguments: [name]) ?? false
  }

  static func requireQueue(_ db: Database, _ name: String) throws {
    guard try queueExists(db, name) else { throw queueNotFound(name) }
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
  /// The first name that may be listed (the greater of prefix and marker).
  var lower: String
  /// A bound above every name with the prefix (compared as UTF-8 bytes, as SQLite does).
  var upper: String

  init(prefix: String?, marker: String?) {
    self.prefix = prefix ?? ""
    let marker = marker ?? ""
    lower = Array(marker.utf8).lexicographicallyPrecedes(Array(self.prefix.utf8)) ? self.prefix : marker
    upper = self.prefix + "\u{10FFFF}\u{10FFFF}"
  }
}
