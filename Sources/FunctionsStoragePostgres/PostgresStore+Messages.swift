internal import Foundation
public import FunctionsStorage
internal import PostgresNIO
internal import Synchronization

extension PostgresStore {
  /// The largest message body Azure accepts: 64 KiB.
  /// The time to live of messages the store puts itself (poison copies, blob-trigger messages).
  static let defaultTimeToLive: Duration = .seconds(7 * 24 * 3600)
  /// A fresh pop receipt, made by the database: 16 random bytes in URL-safe base64 without padding.
  static let newPopReceiptSQL = "translate(rtrim(encode(uuid_send(gen_random_uuid()), 'base64'), '='), '+/', '-_')"

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
    let visibleAt = Micros.saturatingAdd(now, Micros.of(visibilityDelay))
    let expiresAt = timeToLive.map { Micros.saturatingAdd(now, Micros.of($0)) } ?? Micros.never
    let id = Identifiers.messageID()
    // As Azure's Put Message: a pop receipt that works for delete/update until the message is received.
    let receipt = Identifiers.popReceipt()
    let notice = payload(.messageAdded(queue: queue))
    do {
      _ = try await rows(
        "put a message on queue '\(queue)'",
        """
        WITH added AS (
          INSERT INTO message (id, queue, body, inserted_at, expires_at, visible_at, pop_receipt)
          VALUES (\(id), \(queue), \(ByteBuffer(bytes: body)), \(now), \(expiresAt), \(visibleAt), \(receipt))
          RETURNING 1
        )
        SELECT pg_notify(\(Self.notificationChannel), \(notice)) FROM added
        """)
    } catch let error as StorageError where Self.sqlState(error.cause) == SQLState.foreignKeyViolation {
      throw Self.queueNotFound(queue)
    }
    broadcaster.yield(.messageAdded(queue: queue))
    return QueueMessage(
      id: id, queue: queue, body: body, insertionTime: Micros.date(now), expirationTime: Micros.date(expiresAt),
      nextVisibleTime: Micros.date(visibleAt), dequeueCount: 0, popReceipt: receipt)
  }

  /// Receives messages; see ``FunctionsStore/receiveMessages(queue:count:visibilityTimeout:owner:)``.
  ///
  /// The candidates are locked with `FOR UPDATE SKIP LOCKED`, so concurrent receivers on any host
  /// take different messages and never wait for each other.
  public func receiveMessages(queue: String, count: Int, visibilityTimeout: Duration, owner: String?)
    async throws -> [QueueMessage]
  {
    try NameRules.validateQueue(queue)
    try MessageRules.validateCount(count)
    try MessageRules.validateTimeout(visibilityTimeout, queue: queue)
    let now = nowMicros()
    let visibleAt = Micros.saturatingAdd(now, Micros.of(visibilityTimeout))
    let what = "receive messages from queue '\(queue)'"
    if purgeDue(now: now) {
      _ = try await rows(what, "DELETE FROM message WHERE expires_at <= \(now)")
    }
    let found = try await rows(
      what,
      """
      WITH picked AS (
        SELECT seq, visible_at FROM message
        WHERE queue = \(queue) AND visible_at <= \(now) AND expires_at > \(now)
        ORDER BY visible_at, seq LIMIT \(count)
        FOR UPDATE SKIP LOCKED
      )
      UPDATE message m SET visible_at = \(visibleAt), dequeue_count = m.dequeue_count + 1,
        pop_receipt = \(unescaped: Self.newPopReceiptSQL), owner = \(owner)
      FROM picked WHERE m.seq = picked.seq
      RETURNING picked.visible_at, m.seq, m.id, m.body, m.inserted_at, m.expires_at, m.dequeue_count, m.pop_receipt
      """)
    if found.isEmpty {
      let exists = try await rows(what, "SELECT 1 FROM queue WHERE name = \(queue)")
      guard !exists.isEmpty else { throw Self.queueNotFound(queue) }
      return []
    }
    var decoded: [(order: (Int64, Int64), message: QueueMessage)] = []
    for row in found {
      let (previous, seq, id, body, inserted, expires, dequeueCount, receipt) = try row.decode(
        (Int64, Int64, String, ByteBuffer, Int64, Int64, Int, String).self)
      decoded.append(
        (
          (previous, seq),
          QueueMessage(
            id: id, queue: queue, body: Array(buffer: body), insertionTime: Micros.date(inserted),
            expirationTime: Micros.date(expires), nextVisibleTime: Micros.date(visibleAt),
            dequeueCount: dequeueCount, popReceipt: receipt)
        ))
    }
    return decoded.sorted { $0.order < $1.order }.map(\.message)
  }

  /// Peeks at messages; see ``FunctionsStore/peekMessages(queue:count:)``.
  public func peekMessages(queue: String, count: Int) async throws -> [QueueMessage] {
    try NameRules.validateQueue(queue)
    try MessageRules.validateCount(count)
    let now = nowMicros()
    let what = "peek at messages of queue '\(queue)'"
    let found = try await rows(
      what,
      """
      SELECT id, body, inserted_at, expires_at, visible_at, dequeue_count FROM message
      WHERE queue = \(queue) AND visible_at <= \(now) AND expires_at > \(now)
      ORDER BY visible_at, seq LIMIT \(count)
      """)
    if found.isEmpty {
      let exists = try await rows(what, "SELECT 1 FROM queue WHERE name = \(queue)")
      guard !exists.isEmpty else { throw Self.queueNotFound(queue) }
    }
    return try found.map { row in
      let (id, body, inserted, expires, visible, dequeueCount) = try row.decode(
        (String, ByteBuffer, Int64, Int64, Int64, Int).self)
      return QueueMessage(
        id: id, queue: queue, body: Array(buffer: body), insertionTime: Micros.date(inserted),
        expirationTime: Micros.date(expires), nextVisibleTime: Micros.date(visible), dequeueCount: dequeueCount,
        popReceipt: nil)
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
    let what = "update message '\(id)' of queue '\(queue)'"
    let newBody = body.map { ByteBuffer(bytes: $0) }
    let updated: [PostgresRow]
    if releasesAtOnce {
      // Visible at once: announce it, in the same statement.
      updated = try await rows(
        what,
        """
        WITH changed AS (
          UPDATE message SET visible_at = \(visibleAt), pop_receipt = \(newReceipt), owner = NULL,
            body = COALESCE(\(newBody), body)
          WHERE id = \(id) AND queue = \(queue) AND pop_receipt = \(popReceipt) AND expires_at > \(now)
          RETURNING 1
        )
        SELECT pg_notify(\(Self.notificationChannel), \(payload(.messageAdded(queue: queue)))) FROM changed
        """)
    } else {
      updated = try await rows(
        what,
        """
        UPDATE message SET visible_at = \(visibleAt), pop_receipt = \(newReceipt), body = COALESCE(\(newBody), body)
        WHERE id = \(id) AND queue = \(queue) AND pop_receipt = \(popReceipt) AND expires_at > \(now)
        RETURNING 1
        """)
    }
    guard !updated.isEmpty else {
      throw try await receiptFailure(what, queue: queue, id: id, popReceipt: popReceipt, now: now)
    }
    if releasesAtOnce { broadcaster.yield(.messageAdded(queue: queue)) }
    return MessageUpdate(popReceipt: newReceipt, nextVisibleTime: Micros.date(visibleAt))
  }

  /// Deletes a received message; see ``FunctionsStore/deleteMessage(queue:id:popReceipt:)``.
  public func deleteMessage(queue: String, id: String, popReceipt: String) async throws {
    try NameRules.validateQueue(queue)
    let now = nowMicros()
    let what = "delete message '\(id)' of queue '\(queue)'"
    let deleted = try await rows(
      what,
      """
      DELETE FROM message
      WHERE id = \(id) AND queue = \(queue) AND pop_receipt = \(popReceipt) AND expires_at > \(now)
      RETURNING 1
      """)
    guard !deleted.isEmpty else {
      throw try await receiptFailure(what, queue: queue, id: id, popReceipt: popReceipt, now: now)
    }
  }

  /// Deletes every message of a queue; see ``FunctionsStore/clearMessages(queue:)``.
  public func clearMessages(queue: String) async throws {
    try NameRules.validateQueue(queue)
    let found = try await rows(
      "clear queue '\(queue)'",
      """
      WITH cleared AS (DELETE FROM message WHERE queue = \(queue))
      SELECT 1 FROM queue WHERE name = \(queue)
      """)
    guard !found.isEmpty else { throw Self.queueNotFound(queue) }
  }

  // MARK: Helpers

  /// Why a pop-receipt-checked statement changed nothing.
  func receiptFailure(_ what: String, queue: String, id: String, popReceipt: String, now: Int64) async throws
    -> StorageError
  {
    let found = try await rows(
      what,
      """
      SELECT (SELECT pop_receipt IS NULL FROM message WHERE id = \(id) AND queue = \(queue) AND expires_at > \(now)),
        EXISTS (SELECT 1 FROM queue WHERE name = \(queue))
      """)
    let (hasNone, queueExists) = try found[0].decode((Bool?, Bool).self)
    guard let hasNone else {
      guard queueExists else { return Self.queueNotFound(queue) }
      return StorageError(code: .messageNotFound, message: "message '\(id)' is not in queue '\(queue)'")
    }
    return StorageError(
      code: .popReceiptMismatch,
      message: "pop receipt '\(popReceipt)' does not match the current one of message '\(id)' in queue '\(queue)'"
        + (hasNone ? " (it has none)" : ""))
  }

  /// Whether this receive should also purge expired messages (at most once a second per store).
  func purgeDue(now: Int64) -> Bool {
    lastPurge.withLock { last in
      guard now - last >= 1_000_000 || now < last else { return false }
      last = now
      return true
    }
  }
}
