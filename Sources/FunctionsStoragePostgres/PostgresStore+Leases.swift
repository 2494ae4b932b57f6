internal import Foundation
public import FunctionsStorage
internal import PostgresNIO

extension PostgresStore {
  /// Moves a received message to a poison queue in one transaction; see
  /// ``FunctionsStore/moveToPoison(queue:id:popReceipt:poisonQueue:)``.
  ///
  /// The copy expires after Azure's default time to live (7 days), as the stock host's copy does.
  public func moveToPoison(queue: String, id: String, popReceipt: String, poisonQueue: String) async throws
    -> QueueMessage
  {
    try NameRules.validateQueue(queue)
    try NameRules.validateQueue(poisonQueue)
    let now = nowMicros()
    let expiresAt = Micros.saturatingAdd(now, Micros.of(Self.defaultTimeToLive))
    let copyID = Identifiers.messageID()
    let receipt = Identifiers.popReceipt()
    let notice = payload(.messageAdded(queue: poisonQueue))
    let what = "move message '\(id)' of queue '\(queue)' to '\(poisonQueue)'"
    let body: ByteBuffer? = try await transaction(what) { connection in
      let deleted = try await connection.rows(
        """
        DELETE FROM message
        WHERE id = \(id) AND queue = \(queue) AND pop_receipt = \(popReceipt) AND expires_at > \(now)
        RETURNING body
        """, logger: logger)
      guard let row = deleted.first else { return nil }
      let body = try row.decode(ByteBuffer.self)
      try await connection.query(
        "INSERT INTO queue (name, metadata) VALUES (\(poisonQueue), '{}') ON CONFLICT DO NOTHING", logger: logger)
      try await connection.query(
        """
        INSERT INTO message (id, queue, body, inserted_at, expires_at, visible_at, pop_receipt)
        VALUES (\(copyID), \(poisonQueue), \(body), \(now), \(expiresAt), \(now), \(receipt))
        """, logger: logger)
      try await connection.query("SELECT pg_notify(\(Self.notificationChannel), \(notice))", logger: logger)
      return body
    }
    guard let body else {
      throw try await receiptFailure(what, queue: queue, id: id, popReceipt: popReceipt, now: now)
    }
    broadcaster.yield(.messageAdded(queue: poisonQueue))
    return QueueMessage(
      id: copyID, queue: poisonQueue, body: Array(buffer: body), insertionTime: Micros.date(now),
      expirationTime: Micros.date(expiresAt), nextVisibleTime: Micros.date(now), dequeueCount: 0,
      popReceipt: receipt)
  }

  /// Releases the leases of a dead host; see ``FunctionsStore/releaseLeases(owner:)``. Each queue
  /// concerned is announced once, to every host.
  public func releaseLeases(owner: String) async throws -> Int {
    let now = nowMicros()
    let prefix = "\(origin)\tm\t"
    let found = try await rows(
      "release the message leases of '\(owner)'",
      """
      WITH released AS (
        UPDATE message SET visible_at = \(now), owner = NULL
        WHERE owner = \(owner) AND visible_at > \(now) AND expires_at > \(now)
        RETURNING queue
      ), counted AS (
        SELECT queue, count(*) AS n FROM released GROUP BY queue
      )
      SELECT queue, n, pg_notify(\(Self.notificationChannel), \(prefix) || queue) FROM counted
      """)
    var total = 0
    var changes: [StoreChange] = []
    for row in found {
      let cells = row.makeRandomAccess()
      changes.append(.messageAdded(queue: try cells[0].decode(String.self)))
      total += try cells[1].decode(Int.self)
    }
    broadcaster.yield(changes)
    return total
  }

  /// The age of the oldest visible message; see ``FunctionsStore/oldestVisibleMessageAge(queue:)``.
  /// `nil` also when the queue does not exist.
  public func oldestVisibleMessageAge(queue: String) async throws -> Duration? {
    try NameRules.validateQueue(queue)
    let now = nowMicros()
    let found = try await rows(
      "age of queue '\(queue)'",
      """
      SELECT min(inserted_at) FROM message
      WHERE queue = \(queue) AND visible_at <= \(now) AND expires_at > \(now)
      """)
    let oldest = try found.first?.decode(Int64?.self) ?? nil
    return oldest.map { Micros.duration(max(0, now - $0)) }
  }

  // MARK: Timer leases

  /// Takes or renews a lease atomically; see ``FunctionsStore/acquireLease(_:owner:duration:)``.
  /// One statement: inserted when free, taken over when expired or already `owner`'s.
  public func acquireLease(_ name: String, owner: String, duration: Duration) async throws -> Bool {
    let now = nowMicros()
    let expiresAt = Micros.saturatingAdd(now, Micros.of(duration))
    let taken = try await rows(
      "acquire lease '\(name)' for '\(owner)'",
      """
      INSERT INTO lease (name, owner, expires_at) VALUES (\(name), \(owner), \(expiresAt))
      ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
      WHERE lease.owner = excluded.owner OR lease.expires_at <= \(now)
      RETURNING 1
      """)
    return !taken.isEmpty
  }

  /// Gives a lease up if `owner` holds it; see ``FunctionsStore/releaseLease(_:owner:)``.
  public func releaseLease(_ name: String, owner: String) async throws {
    _ = try await rows(
      "release lease '\(name)' of '\(owner)'", "DELETE FROM lease WHERE name = \(name) AND owner = \(owner)")
  }
}
