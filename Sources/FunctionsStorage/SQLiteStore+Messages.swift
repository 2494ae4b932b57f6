internal import Foundation
internal import GRDB
internal import Synchronization

extension SQLiteStore {
  /// The largest message body Azure accepts: 64 KiB.
  /// The time to live of messages the store puts itself (poison copies, blob-trigger messages):
  /// Azure's default, 7 days.
  static let defaultTimeToLive: Duration = .seconds(7 * 24 * 3600)

  /// Puts a message; see ``FunctionsStore/putMessage(queue:body:visibilityDelay:timeToLive:)``.
  public func putMessage(queue: String, body: [UInt8], visibilityDelay: Duration, timeToLive: Duration?)
    async throws -> QueueMessage
  {
    try NameRules.validateQueue(queue)
    try MessageRules.validateBody(body, queue: queue)
    guard visibilityDelay >= .zero else {
      throw StorageError(
        code: .outOfRangeQueryParameterValue, message: "visibilitytimeout must not be negative (queue '\(queue)')")
    }
    if let timeToLive, timeToLive <= .zero {
      throw StorageError(
        code: .outOfRangeQueryParameterValue, message: "messagettl must be positive or -1 (queue '\(queue)')")
    }
    let now = nowMicros()
    let message = try await write("put a message on queue '\(queue)'") { db in
      try Self.requireQueue(db, queue)
      return try Self.insertMessage(
        db, queue: queue, body: body, now: now, visibleAt: Micros.saturatingAdd(now, Micros.of(visibilityDelay)),
        expiresAt: timeToLive.map { Micros.saturatingAdd(now, Micros.of($0)) } ?? Micros.never)
    }
    broadcaster.yield(.messageAdded(queue: queue))
    return message
  }

  /// Receives messages; see ``FunctionsStore/receiveMessages(queue:count:visibilityTimeout:owner:)``.
  public func receiveMessages(queue: String, count: Int, visibilityTimeout: Duration, owner: String?)
    async throws -> [QueueMessage]
  {
    try NameRules.validateQueue(queue)
    try MessageRules.validateCount(count)
    try MessageRules.validateTimeout(visibilityTimeout, queue: queue)
    let now = nowMicros()
    let purge = purgeDue(now: now)
    let visibleAt = Micros.saturatingAdd(now, Micros.of(visibilityTimeout))
    return try await write("receive messages from queue '\(queue)'") { db in
      if purge {
        try db.cachedStatement(sql: "DELETE FROM message WHERE expires_at <= ?").execute(arguments: [now])
      }
      let rows = try Row.fetchAll(
        db.cachedStatement(
          sql: """
            SELECT seq, id, body, inserted_at, expires_at, dequeue_count FROM message
            WHERE queue = ? AND visible_at <= ? AND expires_at > ?
            ORDER BY visible_at, seq LIMIT ?
            """),
        arguments: [queue, now, now, count])
      if rows.isEmpty {
        try Self.requireQueue(db, queue)
        return []
      }
      let update = try db.cachedStatement(
        sql: """
          UPDATE message SET visible_at = ?, dequeue_count = dequeue_count + 1, pop_receipt = ?, owner = ?
          WHERE seq = ?
          """)
      var messages: [QueueMessage] = []
      messages.reserveCapacity(rows.count)
      for row in rows {
        let receipt = Identifiers.popReceipt()
        let seq: Int64 = row[0]
        try update.execute(arguments: [visibleAt, receipt, owner, seq])
        let body: Data = row[2]
        let dequeueCount: Int = row[5]
        messages.append(
          QueueMessage(
            id: row[1], queue: queue, body: [UInt8](body), insertionTime: Micros.date(row[3]),
            expirationTime: Micros.date(row[4]), nextVisibleTime: Micros.date(visibleAt),
            dequeueCount: dequeueCount + 1, popReceipt: receipt))
      }
      return messages
    }
  }

  /// Peeks at messages; see ``FunctionsStore/peekMessages(queue:count:)``.
  public func peekMessages(queue: String, count: Int) async throws -> [QueueMessage] {
    try NameRules.validateQueue(queue)
    try MessageRules.validateCount(count)
    let now = nowMicros()
    return try await read("peek at messages of queue '\(queue)'") { db in
      let rows = try Row.fetchAll(
        db.cachedStatement(
          sql: """
            SELECT id, body, inserted_at, expires_at, visible_at, dequeue_count FROM message
            WHERE queue = ? AND visible_at <= ? AND expires_at > ?
            ORDER BY visible_at, seq LIMIT ?
            """),
        arguments: [queue, now, now, count])
      if rows.isEmpty { try Self.requireQueue(db, queue) }
      return rows.map { row in
        let body: Data = row[1]
        return QueueMessage(
          id: row[0], queue: queue, body: [UInt8](body), insertionTime: Micros.date(row[2]),
          expirationTime: Micros.date(row[3]), nextVisibleTime: Micros.date(row[4]), dequeueCount: row[5],
          popReceipt: nil)
      }
    }
  }

  /// Updates a received message; see ``FunctionsStore/updateMessage(queue:id:popReceipt:visibilityTimeout:body:)``.
  public func updateMessage(
    queue: String, id: String, popReceipt: String, visibilityTimeout: Duration, body: [UInt8]?
  ) async throws -> MessageUpdate {
    try NameRules.validateQueue(queue)
    if let body { try MessageRules.validateBody(body, queue: queue) }
    try MessageRules.validateTimeout(visibilityTimeout, queue: queue)
    let now = nowMicros()
    let visibleAt = Micros.saturatingAdd(now, Micros.of(visibilityTimeout))
    let newReceipt = Identifiers.popReceipt()
    let releasesAtOnce = visibilityTimeout == .zero
    let update = try await write("update message '\(id)' of queue '\(queue)'") { db in
      let arguments: StatementArguments = [
        visibleAt, newReceipt, releasesAtOnce ? 1 : 0, body.map { Data($0) }, id, queue, popReceipt, now,
      ]
      try db.cachedStatement(
        sql: """
          UPDATE message SET visible_at = ?, pop_receipt = ?,
            owner = CASE WHEN ? = 1 THEN NULL ELSE owner END, body = COALESCE(?, body)
          WHERE id = ? AND queue = ? AND pop_receipt = ? AND expires_at > ?
          """
      ).execute(arguments: arguments)
      guard db.changesCount > 0 else {
        throw try Self.receiptFailure(db, queue: queue, id: id, popReceipt: popReceipt, now: now)
      }
      return MessageUpdate(popReceipt: newReceipt, nextVisibleTime: Micros.date(visibleAt))
    }
    if releasesAtOnce { broadcaster.yield(.messageAdded(queue: queue)) }
    return update
  }

  /// Deletes a received message; see ``FunctionsStore/deleteMessage(queue:id:popReceipt:)``.
  public func deleteMessage(queue: String, id: String, popReceipt: String) async throws {
    try NameRules.validateQueue(queue)
    let now = nowMicros()
    try await write("delete message '\(id)' of queue '\(queue)'") { db in
      try db.cachedStatement(
        sql: "DELETE FROM message WHERE id = ? AND queue = ? AND pop_receipt = ? AND expires_at > ?"
      ).execute(arguments: [id, queue, popReceipt, now])
      guard db.changesCount > 0 else {
        throw try Self.receiptFailure(db, queue: queue, id: id, popReceipt: popReceipt, now: now)
      }
    }
  }

  /// Deletes every message of a queue; see ``FunctionsStore/clearMessages(queue:)``.
  public func clearMessages(queue: String) async throws {
    try NameRules.validateQueue(queue)
    try await write("clear queue '\(queue)'") { db in
      try Self.requireQueue(db, queue)
      try db.cachedStatement(sql: "DELETE FROM message WHERE queue = ?").execute(arguments: [queue])
    }
  }

  /// Moves a received message to a poison queue; see ``FunctionsStore/moveToPoison(queue:id:popReceipt:poisonQueue:)``.
  ///
  /// The copy expires after Azure's default time to live (7 days), as the stock host's copy does.
  public func moveToPoison(queue: String, id: String, popReceipt: String, poisonQueue: String) async throws
    -> QueueMessage
  {
    try NameRules.validateQueue(queue)
    try NameRules.validateQueue(poisonQueue)
    let now = nowMicros()
    let expiresAt = Micros.saturatingAdd(now, Micros.of(Self.defaultTimeToLive))
    let copy = try await write("move message '\(id)' of queue '\(queue)' to '\(poisonQueue)'") { db in
      guard
        let body = try Data.fetchOne(
          db.cachedStatement(
            sql: "SELECT body FROM message WHERE id = ? AND queue = ? AND pop_receipt = ? AND expires_at > ?"),
          arguments: [id, queue, popReceipt, now])
      else {
        throw try Self.receiptFailure(db, queue: queue, id: id, popReceipt: popReceipt, now: now)
      }
      try db.cachedStatement(sql: "DELETE FROM message WHERE id = ?").execute(arguments: [id])
      try db.cachedStatement(sql: "INSERT OR IGNORE INTO queue (name, metadata) VALUES (?, '{}')")
        .execute(arguments: [poisonQueue])
      return try Self.insertMessage(
        db, queue: poisonQueue, body: [UInt8](body), now: now, visibleAt: now, expiresAt: expiresAt)
    }
    broadcaster.yield(.messageAdded(queue: poisonQueue))
    return copy
  }

  /// Releases the leases of a dead host; see ``FunctionsStore/releaseLeases(owner:)``.
  public func releaseLeases(owner: String) async throws -> Int {
    let now = nowMicros()
    let (count, queues) = try await write("release the message leases of '\(owner)'") { db in
      let queues = try String.fetchAll(
        db.cachedStatement(
          sql: "SELECT DISTINCT queue FROM message WHERE owner = ? AND visible_at > ? AND expires_at > ?"),
        arguments: [owner, now, now])
      try db.cachedStatement(
        sql: "UPDATE message SET visible_at = ?, owner = NULL WHERE owner = ? AND visible_at > ? AND expires_at > ?"
      ).execute(arguments: [now, owner, now, now])
      return (db.changesCount, queues)
    }
    broadcaster.yield(queues.map { StoreChange.messageAdded(queue: $0) })
    return count
  }

  /// The age of the oldest visible message; see ``FunctionsStore/oldestVisibleMessageAge(queue:)``.
  /// `nil` also when the queue does not exist.
  public func oldestVisibleMessageAge(queue: String) async throws -> Duration? {
    try NameRules.validateQueue(queue)
    let now = nowMicros()
    let oldest = try await read("age of queue '\(queue)'") { db in
      try Int64.fetchOne(
        db.cachedStatement(
          sql: "SELECT MIN(inserted_at) FROM message WHERE queue = ? AND visible_at <= ? AND expires_at > ?"),
        arguments: [queue, now, now])
    }
    return oldest.map { Micros.duration(max(0, now - $0)) }
  }

  // MARK: Helpers

  static func insertMessage(
    _ db: Database, queue: String, body: [UInt8], now: Int64, visibleAt: Int64, expiresAt: Int64
  ) throws -> QueueMessage {
    let id = Identifiers.messageID()
    // Azure's Put Message returns a pop receipt that works for Delete/Update until the message is received.
    let receipt = Identifiers.popReceipt()
    try db.cachedStatement(
      sql: """
        INSERT INTO message (id, queue, body, inserted_at, expires_at, visible_at, dequeue_count, pop_receipt)
        VALUES (?, ?, ?, ?, ?, ?, 0, ?)
        """
    ).execute(arguments: [id, queue, Data(body), now, expiresAt, visibleAt, receipt])
    return QueueMessage(
      id: id, queue: queue, body: body, insertionTime: Micros.date(now), expirationTime: Micros.date(expiresAt),
      nextVisibleTime: Micros.date(visibleAt), dequeueCount: 0, popReceipt: receipt)
  }

  /// Why a pop-receipt-checked statement changed nothing.
  static func receiptFailure(_ db: Database, queue: String, id: String, popReceipt: String, now: Int64) throws
    -> StorageError
  {
    let row = try Row.fetchOne(
      db.cachedStatement(sql: "SELECT pop_receipt FROM message WHERE id = ? AND queue = ? AND expires_at > ?"),
      arguments: [id, queue, now])
    guard let row else {
      guard try queueExists(db, queue) else { return queueNotFound(queue) }
      return StorageError(code: .messageNotFound, message: "message '\(id)' is not in queue '\(queue)'")
    }
    let current: String? = row[0]
    return StorageError(
      code: .popReceiptMismatch,
      message: "pop receipt '\(popReceipt)' does not match the current one of message '\(id)' in queue '\(queue)'"
        + (current == nil ? " (it has none)" : ""))
  }

  /// Whether this receive should also purge expired messages (at most once a second).
  func purgeDue(now: Int64) -> Bool {
    lastPurge.withLock { last in
      guard now - last >= 1_000_000 || now < last else { return false }
      last = now
      return true
    }
  }
}
