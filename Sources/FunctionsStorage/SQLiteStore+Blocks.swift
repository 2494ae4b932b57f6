internal import Foundation
internal import GRDB

extension SQLiteStore {
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
    try await read("put block '\(blockID)' of blob '\(name)'") { db in
      try Self.requireContainer(db, container)
      try Self.checkBlockIDLength(db, container: container, name: name, blockID: blockID)
    }
    let extent = try await writeExtent(container: container, blob: name, content: content, computeMD5: false)
    do {
      try await write("put block '\(blockID)' of blob '\(name)' in container '\(container)'") { db in
        try Self.requireContainer(db, container)
        try Self.checkBlockIDLength(db, container: container, name: name, blockID: blockID)
        try Self.adoptExtent(db, extent, container: container)
        if let old = try Int64.fetchOne(
          db.cachedStatement(
            sql: "SELECT extent_id FROM uncommitted_block WHERE container = ? AND blob = ? AND block_id = ?"),
          arguments: [container, name, blockID])
        {
          try db.cachedStatement(sql: "DELETE FROM extent WHERE id = ?").execute(arguments: [old])
        }
        try db.cachedStatement(
          sql: """
            INSERT OR REPLACE INTO uncommitted_block (container, blob, block_id, extent_id, length)
            VALUES (?, ?, ?, ?, ?)
            """
        ).execute(arguments: [container, name, blockID, extent.id, extent.length])
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
    let now = configuration.now()
    let etag = Identifiers.etag()
    let properties = try await write("commit the block list of blob '\(name)' in container '\(container)'") { db in
      try Self.requireContainer(db, container)
      let current = try StoredBlob.fetch(db, container: container, name: name)
      try conditions.check(against: current?.properties, container: container, name: name, use: .create)
      var committed: [String: Segment] = [:]
      for segment in current?.segments ?? [] { if let id = segment.b { committed[id] = segment } }
      let lookup = try db.cachedStatement(
        sql: "SELECT extent_id, length FROM uncommitted_block WHERE container = ? AND blob = ? AND block_id = ?")
      var segments: [Segment] = []
      var length: Int64 = 0
      for blockID in blockIDs {
        if let row = try Row.fetchOne(lookup, arguments: [container, name, blockID]) {
          segments.append(Segment(e: row[0], n: row[1], b: blockID))
        } else if let segment = committed[blockID] {
          segments.append(segment)
        } else {
          throw StorageError(
            code: .invalidBlockList,
            message: "block '\(blockID)' of blob '\(name)' in container '\(container)' was never uploaded")
        }
        length += segments[segments.count - 1].n
      }
      let properties = BlobProperties(
        container: container, name: name, contentLength: length, etag: etag, lastModified: now,
        creationTime: current?.properties.creationTime ?? now, headers: headers, metadata: metadata)
      try StoredBlob.save(db, properties, segments: segments)
      try db.cachedStatement(sql: "DELETE FROM uncommitted_block WHERE container = ? AND blob = ?")
        .execute(arguments: [container, name])
      try StoredBlob.collectGarbage(db, container: container, name: name, keeping: segments)
      return properties
    }
    broadcaster.yield(.blobWritten(container: container, name: name))
    return properties
  }

  /// The blob's uncommitted block ids and sizes, in id order (for tests and Get Block List).
  package func uncommittedBlocks(container: String, name: String) async throws -> [(id: String, size: Int64)] {
    try await read("list blocks of blob '\(name)'") { db in
      try Row.fetchAll(
        db.cachedStatement(
          sql: "SELECT block_id, length FROM uncommitted_block WHERE container = ? AND blob = ? ORDER BY block_id"),
        arguments: [container, name]
      ).map { (id: $0[0], size: $0[1]) }
    }
  }

  static func checkBlockIDLength(_ db: Database, container: String, name: String, blockID: String) throws {
    guard
      let other = try String.fetchOne(
        db.cachedStatement(
          sql: "SELECT block_id FROM uncommitted_block WHERE container = ? AND blob = ? AND block_id != ? LIMIT 1"),
        arguments: [container, name, blockID])
    else { return }
    guard other.utf8.count == blockID.utf8.count else {
      throw StorageError(
        code: .invalidInput,
        message: "block id '\(blockID)' of blob '\(name)' in container '\(container)' has \(blockID.utf8.count) "
          + "characters; the blob's other blocks have \(other.utf8.count) (all must have the same length)")
    }
  }
}
