internal import Foundation
public import FunctionsStorage
internal import PostgresNIO

extension PostgresStore {
  /// Stores an uncommitted block; see ``FunctionsStore/putBlock(container:name:blockID:content:)``.
  ///
  /// All block ids of one blob must have the same length (Azure's rule): a block whose id length
  /// differs from the blob's other uncommitted blocks fails with ``StorageError/Code/invalidInput``.
  /// Putting a block id again replaces that block.
  public func putBlock(
    container: String, name: String, blockID: String, content: some AsyncSequence<[UInt8], any Error> & Sendable
  ) async throws {
    try NameRules.validateContainer(container)
    try NameRules.validateBlob(name)
    try NameRules.validateBlockID(blockID, blob: name)
    try await connection("put block '\(blockID)' of blob '\(name)'") { connection in
      try await requireContainer(connection, container)
      try await checkBlockIDLength(connection, container: container, name: name, blockID: blockID)
    }
    let extent = try await writeExtent(container: container, blob: name, content: content, computeMD5: false)
    do {
      try await transaction("put block '\(blockID)' of blob '\(name)' in container '\(container)'") { connection in
        try await lockBlob(connection, container: container, name: name)
        try await checkBlockIDLength(connection, container: container, name: name, blockID: blockID)
        try await adoptExtent(connection, extent, container: container)
        try await connection.query(
          """
          DELETE FROM extent WHERE id = (
            SELECT extent_id FROM uncommitted_block
            WHERE container = \(container) AND blob = \(name) AND block_id = \(blockID))
          """, logger: logger)
        try await connection.query(
          """
          INSERT INTO uncommitted_block (container, blob, block_id, extent_id, length)
          VALUES (\(container), \(name), \(blockID), \(extent.id), \(extent.length))
          ON CONFLICT (container, blob, block_id) DO UPDATE SET extent_id = excluded.extent_id,
            length = excluded.length
          """, logger: logger)
      }
    } catch {
      await discardExtent(extent.id)
      throw error
    }
  }

  /// Commits a block list; see ``FunctionsStore/commitBlockList(container:name:blockIDs:headers:metadata:conditions:)``.
  ///
  /// Each id is looked up among the blob's uncommitted blocks first, then among its committed
  /// blocks (Azure's `Latest`). The new content references the blocks' stored extents: no data is
  /// copied. Content-MD5 is stored only when the client sent one.
  public func commitBlockList(
    container: String, name: String, blockIDs: [String], headers: BlobHTTPHeaders, metadata: [String: String],
    conditions: BlobConditions
  ) async throws -> BlobProperties {
    try NameRules.validateContainer(container)
    try NameRules.validateBlob(name)
    let now = Micros.date(nowMicros())
    let etag = Identifiers.etag()
    let notice = payload(.blobWritten(container: container, name: name))
    let what = "commit the block list of blob '\(name)' in container '\(container)'"
    let properties = try await transaction(what) { connection in
      try await lockBlob(connection, container: container, name: name)
      let current = try await StoredBlob.fetch(connection, container: container, name: name, logger: logger)
      try conditions.check(against: current?.properties, container: container, name: name, use: .create)
      var committed: [String: Segment] = [:]
      for segment in current?.segments ?? [] { if let id = segment.b { committed[id] = segment } }
      var uncommitted: [String: Segment] = [:]
      for row in try await connection.rows(
        "SELECT block_id, extent_id, length FROM uncommitted_block WHERE container = \(container) AND blob = \(name)",
        logger: logger)
      {
        let (blockID, extent, length) = try row.decode((String, Int64, Int64).self)
        uncommitted[blockID] = Segment(e: extent, n: length, b: blockID)
      }
      var segments: [Segment] = []
      var length: Int64 = 0
      for blockID in blockIDs {
        guard let segment = uncommitted[blockID] ?? committed[blockID] else {
          throw StorageError(
            code: .invalidBlockList,
            message: "block '\(blockID)' of blob '\(name)' in container '\(container)' was never uploaded")
        }
        segments.append(segment)
        length += segment.n
      }
      let properties = BlobProperties(
        container: container, name: name, contentLength: length, etag: etag, lastModified: now,
        creationTime: current?.properties.creationTime ?? now, headers: headers, metadata: metadata)
      try await StoredBlob.save(connection, properties, segments: segments, logger: logger)
      try await connection.query(
        "DELETE FROM uncommitted_block WHERE container = \(container) AND blob = \(name)", logger: logger)
      try await StoredBlob.collectGarbage(
        connection, container: container, name: name, keeping: segments, logger: logger)
      try await connection.query("SELECT pg_notify(\(Self.notificationChannel), \(notice))", logger: logger)
      return properties
    }
    broadcaster.yield(.blobWritten(container: container, name: name))
    return properties
  }

  /// The blob's uncommitted block ids and sizes, in id order (for tests and Get Block List).
  package func uncommittedBlocks(container: String, name: String) async throws -> [(id: String, size: Int64)] {
    let found = try await rows(
      "list blocks of blob '\(name)'",
      """
      SELECT block_id, length FROM uncommitted_block WHERE container = \(container) AND blob = \(name)
      ORDER BY block_id COLLATE "C"
      """)
    return try found.map { row in
      let (id, size) = try row.decode((String, Int64).self)
      return (id: id, size: size)
    }
  }

  func checkBlockIDLength(_ connection: PostgresConnection, container: String, name: String, blockID: String)
    async throws
  {
    let found = try await connection.rows(
      """
      SELECT block_id FROM uncommitted_block
      WHERE container = \(container) AND blob = \(name) AND block_id <> \(blockID) LIMIT 1
      """, logger: logger)
    guard let row = found.first else { return }
    let other = try row.decode(String.self)
    guard other.utf8.count == blockID.utf8.count else {
      throw StorageError(
        code: .invalidInput,
        message: "block id '\(blockID)' of blob '\(name)' in container '\(container)' has \(blockID.utf8.count) "
          + "characters; the blob's other blocks have \(other.utf8.count) (all must have the same length)")
    }
  }
}
