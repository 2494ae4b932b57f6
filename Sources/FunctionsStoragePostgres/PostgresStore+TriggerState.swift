internal import Foundation
public import FunctionsStorage
internal import PostgresNIO

extension PostgresStore {
  // MARK: Blob-trigger receipts

  /// Records a receipt and enqueues a message in one transaction; see
  /// ``FunctionsStore/enqueueIfNoReceipt(_:queue:message:)``. The receipt is inserted with
  /// `ON CONFLICT DO NOTHING`, so of several hosts racing for one blob version exactly one enqueues.
  /// The message expires after Azure's default time to live (7 days).
  public func enqueueIfNoReceipt(_ receipt: BlobReceiptKey, queue: String, message: [UInt8]) async throws -> Bool {
    try NameRules.validateQueue(queue)
    try MessageRules.validateBody(message, queue: queue)
    let now = nowMicros()
    let expiresAt = Micros.saturatingAdd(now, Micros.of(Self.defaultTimeToLive))
    let id = Identifiers.messageID()
    let popReceipt = Identifiers.popReceipt()
    let notice = payload(.messageAdded(queue: queue))
    let enqueued = try await transaction("enqueue blob-trigger message on queue '\(queue)'") { connection in
      let inserted = try await connection.rows(
        """
        INSERT INTO blob_receipt (function_id, container, blob, etag, created_at)
        VALUES (\(receipt.functionID), \(receipt.container), \(receipt.blobName), \(receipt.etag), \(now))
        ON CONFLICT DO NOTHING RETURNING 1
        """, logger: logger)
      guard !inserted.isEmpty else { return false }
      try await connection.query(
        "INSERT INTO queue (name, metadata) VALUES (\(queue), '{}') ON CONFLICT DO NOTHING", logger: logger)
      try await connection.query(
        """
        INSERT INTO message (id, queue, body, inserted_at, expires_at, visible_at, pop_receipt)
        VALUES (\(id), \(queue), \(ByteBuffer(bytes: message)), \(now), \(expiresAt), \(now), \(popReceipt))
        """, logger: logger)
      try await connection.query("SELECT pg_notify(\(Self.notificationChannel), \(notice))", logger: logger)
      return true
    }
    if enqueued { broadcaster.yield(.messageAdded(queue: queue)) }
    return enqueued
  }

  /// Deletes a receipt; see ``FunctionsStore/deleteReceipt(_:)``.
  public func deleteReceipt(_ receipt: BlobReceiptKey) async throws {
    _ = try await rows(
      "delete a blob receipt",
      """
      DELETE FROM blob_receipt WHERE function_id = \(receipt.functionID) AND container = \(receipt.container)
        AND blob = \(receipt.blobName) AND etag = \(receipt.etag)
      """)
  }

  /// Whether a receipt exists; see ``FunctionsStore/hasReceipt(_:)``.
  public func hasReceipt(_ receipt: BlobReceiptKey) async throws -> Bool {
    let found = try await rows(
      "read a blob receipt",
      """
      SELECT 1 FROM blob_receipt WHERE function_id = \(receipt.functionID) AND container = \(receipt.container)
        AND blob = \(receipt.blobName) AND etag = \(receipt.etag)
      """)
    return !found.isEmpty
  }

  // MARK: Timers

  /// A timer's schedule status; see ``FunctionsStore/scheduleStatus(timer:)``.
  public func scheduleStatus(timer: String) async throws -> ScheduleStatus? {
    let found = try await rows(
      "read the schedule status of timer '\(timer)'",
      "SELECT last, next, last_updated FROM schedule_status WHERE timer = \(timer)")
    return try found.first.map { row in
      let (last, next, updated) = try row.decode((Int64, Int64, Int64).self)
      return ScheduleStatus(last: Micros.date(last), next: Micros.date(next), lastUpdated: Micros.date(updated))
    }
  }

  /// Writes a timer's schedule status; see ``FunctionsStore/setScheduleStatus(_:timer:)``.
  public func setScheduleStatus(_ status: ScheduleStatus, timer: String) async throws {
    _ = try await rows(
      "write the schedule status of timer '\(timer)'",
      """
      INSERT INTO schedule_status (timer, last, next, last_updated)
      VALUES (\(timer), \(Micros.of(status.last)), \(Micros.of(status.next)), \(Micros.of(status.lastUpdated)))
      ON CONFLICT (timer) DO UPDATE SET last = excluded.last, next = excluded.next,
        last_updated = excluded.last_updated
      """)
  }
}
