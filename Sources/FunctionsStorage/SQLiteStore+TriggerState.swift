internal import Foundation
internal import GRDB

extension SQLiteStore {
  // MARK: Blob-trigger receipts

  /// Records a receipt and enqueues a message in one transaction; see
  /// ``FunctionsStore/enqueueIfNoReceipt(_:queue:message:)``. The message expires after Azure's
  /// default time to live (7 days), as the stock host's blob-trigger messages do.
  public func enqueueIfNoReceipt(_ receipt: BlobReceiptKey, queue: String, message: [UInt8]) async throws -> Bool {
    try NameRules.validateQueue(queue)
    try MessageRules.validateBody(message, queue: queue)
    let now = nowMicros()
    let expiresAt = Micros.saturatingAdd(now, Micros.of(Self.defaultTimeToLive))
    let enqueued = try await write("enqueue blob-trigger message on queue '\(queue)'") { db in
      try db.cachedStatement(
        sql: """
          INSERT OR IGNORE INTO blob_receipt (function_id, container, blob, etag, created_at)
          VALUES (?, ?, ?, ?, ?)
          """
      ).execute(arguments: [receipt.functionID, receipt.container, receipt.blobName, receipt.etag, now])
      guard db.changesCount > 0 else { return false }
      try db.cachedStatement(sql: "INSERT OR IGNORE INTO queue (name, metadata) VALUES (?, '{}')")
        .execute(arguments: [queue])
      _ = try Self.insertMessage(db, queue: queue, body: message, now: now, visibleAt: now, expiresAt: expiresAt)
      return true
    }
    if enqueued { broadcaster.yield(.messageAdded(queue: queue)) }
    return enqueued
  }

  /// Deletes a receipt; see ``FunctionsStore/deleteReceipt(_:)``.
  public func deleteReceipt(_ receipt: BlobReceiptKey) async throws {
    try await write("delete a blob receipt") { db in
      try db.cachedStatement(
        sql: "DELETE FROM blob_receipt WHERE function_id = ? AND container = ? AND blob = ? AND etag = ?"
      ).execute(arguments: [receipt.functionID, receipt.container, receipt.blobName, receipt.etag])
    }
  }

  /// Whether a receipt exists; see ``FunctionsStore/hasReceipt(_:)``.
  public func hasReceipt(_ receipt: BlobReceiptKey) async throws -> Bool {
    try await read("read a blob receipt") { db in
      try Bool.fetchOne(
        db.cachedStatement(
          sql: "SELECT 1 FROM blob_receipt WHERE function_id = ? AND container = ? AND blob = ? AND etag = ?"),
        arguments: [receipt.functionID, receipt.container, receipt.blobName, receipt.etag]) ?? false
    }
  }

  // MARK: Timers

  /// A timer's schedule status; see ``FunctionsStore/scheduleStatus(timer:)``.
  public func scheduleStatus(timer: String) async throws -> ScheduleStatus? {
    try await read("read the schedule status of timer '\(timer)'") { db in
      try Row.fetchOne(
        db.cachedStatement(sql: "SELECT last, next, last_updated FROM schedule_status WHERE timer = ?"),
        arguments: [timer]
      ).map { ScheduleStatus(last: Micros.date($0[0]), next: Micros.date($0[1]), lastUpdated: Micros.date($0[2])) }
    }
  }

  /// Writes a timer's schedule status; see ``FunctionsStore/setScheduleStatus(_:timer:)``.
  public func setScheduleStatus(_ status: ScheduleStatus, timer: String) async throws {
    try await write("write the schedule status of timer '\(timer)'") { db in
      try db.cachedStatement(
        sql: "INSERT OR REPLACE INTO schedule_status (timer, last, next, last_updated) VALUES (?, ?, ?, ?)"
      ).execute(arguments: [
        timer, Micros.of(status.last), Micros.of(status.next), Micros.of(status.lastUpdated),
      ])
    }
  }

  // MARK: Leases

  /// Takes or renews a lease; see ``FunctionsStore/acquireLease(_:owner:duration:)``.
  public func acquireLease(_ name: String, owner: String, duration: Duration) async throws -> Bool {
    let now = nowMicros()
    let expiresAt = Micros.saturatingAdd(now, Micros.of(duration))
    return try await write("acquire lease '\(name)' for '\(owner)'") { db in
      try db.cachedStatement(
        sql: """
          INSERT INTO lease (name, owner, expires_at) VALUES (?, ?, ?)
          ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
          WHERE lease.owner = excluded.owner OR lease.expires_at <= ?
          """
      ).execute(arguments: [name, owner, expiresAt, now])
      return db.changesCount > 0
    }
  }

  /// Gives a lease up if `owner` holds it; see ``FunctionsStore/releaseLease(_:owner:)``.
  public func releaseLease(_ name: String, owner: String) async throws {
    try await write("release lease '\(name)' of '\(owner)'") { db in
      try db.cachedStatement(sql: "DELETE FROM lease WHERE name = ? AND owner = ?").execute(arguments: [name, owner])
    }
  }
}
