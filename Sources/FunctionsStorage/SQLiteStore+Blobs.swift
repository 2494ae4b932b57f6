internal import Foundation
internal import GRDB

extension SQLiteStore {
  /// Writes a block blob from a stream; see ``FunctionsStore/putBlob(container:name:content:headers:metadata:conditions:)``.
  ///
  /// The content goes into a pending extent in small transactions; one final transaction checks
  /// `conditions` against the blob as it is then, swaps the blob to the new content, deletes the old
  /// content and any uncommitted blocks. When `headers.contentMD5` is `nil` the MD5 is computed.
  public func putBlob(
    container: String, name: String, content: some AsyncSequence<[UInt8], any Error> & Sendable,
    headers: BlobHTTPHeaders, metadata: [String: String], conditions: BlobConditions
  ) async throws -> BlobProperties {
    try NameRules.validateContainer(container)
    try NameRules.validateBlob(name)
    // Fail fast, before streaming the content, when the conditions already fail.
    try await read("put blob '\(name)' in container '\(container)'") { db in
      try Self.requireContainer(db, container)
      let current = try StoredBlob.fetch(db, container: container, name: name)
      try conditions.check(against: current?.properties, container: container, name: name, use: .create)
    }
    let extent = try await writeExtent(
      container: container, blob: name, content: content, computeMD5: headers.contentMD5 == nil)
    var headers = headers
    if headers.contentMD5 == nil { headers.contentMD5 = extent.md5 }
    let segments = [Segment(e: extent.id, n: extent.length, b: nil)]
    let properties: BlobProperties
    do {
      properties = try await commitContent(
        container: container, name: name, segments: segments, length: extent.length, headers: headers,
        metadata: metadata, conditions: conditions
      ) { db in try Self.adoptExtent(db, extent, container: container) }
    } catch {
      await discardExtent(extent.id)
      throw error
    }
    broadcaster.yield(.blobWritten(container: container, name: name))
    return properties
  }

  /// The blob's properties; see ``FunctionsStore/blobProperties(container:name:)``.
  public func blobProperties(container: String, name: String) async throws -> BlobProperties? {
    try NameRules.validateContainer(container)
    try NameRules.validateBlob(name)
    return try await read("read blob '\(name)' in container '\(container)'") { db in
      try Self.requireContainer(db, container)
      return try StoredBlob.fetch(db, container: container, name: name)?.properties
    }
  }

  /// Opens a blob for reading; see ``FunctionsStore/readBlob(container:name:range:conditions:)``.
  public func readBlob(container: String, name: String, range: ByteRange?, conditions: BlobConditions)
    async throws -> BlobDownload
  {
    try NameRules.validateContainer(container)
    try NameRules.validateBlob(name)
    let blob = try await read("read blob '\(name)' in container '\(container)'") { db in
      try Self.requireContainer(db, container)
      let blob = try StoredBlob.fetch(db, container: container, name: name)
      try conditions.check(against: blob?.properties, container: container, name: name, use: .read)
      guard let blob else {
        throw StorageError(code: .blobNotFound, message: "blob '\(name)' in container '\(container)' does not exist")
      }
      return blob
    }
    let served = try ByteRange.served(range, length: blob.properties.contentLength, container: container, name: name)
    return BlobDownload(
      properties: blob.properties, range: served,
      chunks: contentStream(segments: blob.segments, range: served, container: container, name: name))
  }

  /// Replaces the blob's metadata; see ``FunctionsStore/setBlobMetadata(container:name:metadata:conditions:)``.
  public func setBlobMetadata(
    container: String, name: String, metadata: [String: String], conditions: BlobConditions
  ) async throws -> BlobProperties {
    try await modifyBlob(container: container, name: name, conditions: conditions, what: "set metadata of") {
      $0.metadata = metadata
    }
  }

  /// Replaces the blob's HTTP properties; see ``FunctionsStore/setBlobHTTPHeaders(container:name:headers:conditions:)``.
  public func setBlobHTTPHeaders(
    container: String, name: String, headers: BlobHTTPHeaders, conditions: BlobConditions
  ) async throws -> BlobProperties {
    try await modifyBlob(container: container, name: name, conditions: conditions, what: "set properties of") {
      $0.headers = headers
    }
  }

  /// Deletes a blob (and its uncommitted blocks); see ``FunctionsStore/deleteBlob(container:name:conditions:)``.
  public func deleteBlob(container: String, name: String, conditions: BlobConditions) async throws {
    try NameRules.validateContainer(container)
    try NameRules.validateBlob(name)
    try await write("delete blob '\(name)' in container '\(container)'") { db in
      try Self.requireContainer(db, container)
      let blob = try StoredBlob.fetch(db, container: container, name: name)
      try conditions.check(against: blob?.properties, container: container, name: name, use: .modify)
      try db.cachedStatement(sql: "DELETE FROM blob WHERE container = ? AND name = ?")
        .execute(arguments: [container, name])
      try db.cachedStatement(sql: "DELETE FROM uncommitted_block WHERE container = ? AND blob = ?")
        .execute(arguments: [container, name])
      try db.cachedStatement(sql: "DELETE FROM extent WHERE container = ? AND blob = ? AND pending = 0")
        .execute(arguments: [container, name])
    }
  }

  /// Lists blobs; see ``FunctionsStore/listBlobs(container:prefix:marker:maxResults:)``.
  public func listBlobs(container: String, prefix: String?, marker: String?, maxResults: Int) async throws
    -> Page<BlobProperties>
  {
    try NameRules.validateContainer(container)
    try Self.validateMaxResults(maxResults)
    let range = NameRange(prefix: prefix, marker: marker)
    return try await read("list blobs of container '\(container)'") { db in
      try Self.requireContainer(db, container)
      let rows = try Row.fetchAll(
        db.cachedStatement(
          sql: """
            SELECT \(StoredBlob.columns) FROM blob
            WHERE container = ? AND name >= ? AND name < ? AND substr(name, 1, length(?)) = ?
            ORDER BY name LIMIT ?
            """),
        arguments: [container, range.lower, range.upper, range.prefix, range.prefix, maxResults + 1])
      let next: String? = rows.count > maxResults ? rows[maxResults][0] : nil
      return Page(
        items: rows.prefix(maxResults).map { StoredBlob(container: container, row: $0).properties }, nextMarker: next)
    }
  }

  // MARK: Helpers

  /// In one transaction: checks `conditions` against the current blob, runs `prepare` (which adopts
  /// the new extents), replaces the blob row with `segments` (keeping the creation time), discards
  /// uncommitted blocks and deletes content no longer referenced.
  func commitContent(
    container: String, name: String, segments: [Segment], length: Int64, headers: BlobHTTPHeaders,
    metadata: [String: String], conditions: BlobConditions,
    prepare: @escaping @Sendable (Database) throws -> Void
  ) async throws -> BlobProperties {
    let now = configuration.now()
    let etag = Identifiers.etag()
    return try await write("commit blob '\(name)' in container '\(container)'") { db in
      try Self.requireContainer(db, container)
      let current = try StoredBlob.fetch(db, container: container, name: name)
      try conditions.check(against: current?.properties, container: container, name: name, use: .create)
      try prepare(db)
      let properties = BlobProperties(
        container: container, name: name, contentLength: length, etag: etag, lastModified: now,
        creationTime: current?.properties.creationTime ?? now, headers: headers, metadata: metadata)
      try StoredBlob.save(db, properties, segments: segments)
      try db.cachedStatement(sql: "DELETE FROM uncommitted_block WHERE container = ? AND blob = ?")
        .execute(arguments: [container, name])
      try StoredBlob.collectGarbage(db, container: container, name: name, keeping: segments)
      return properties
    }
  }

  private func modifyBlob(
    container: String, name: String, conditions: BlobConditions, what: String,
    change: @escaping @Sendable (inout BlobProperties) -> Void
  ) async throws -> BlobProperties {
    try NameRules.validateContainer(container)
    try NameRules.validateBlob(name)
    let now = configuration.now()
    let etag = Identifiers.etag()
    return try await write("\(what) blob '\(name)' in container '\(container)'") { db in
      try Self.requireContainer(db, container)
      let current = try StoredBlob.fetch(db, container: container, name: name)
      try conditions.check(against: current?.properties, container: container, name: name, use: .modify)
      guard let current else { throw StorageError(code: .blobNotFound, message: "blob '\(name)' does not exist") }
      var properties = current.properties
      change(&properties)
      properties.etag = etag
      properties.lastModified = now
      try StoredBlob.save(db, properties, segments: current.segments)
      return properties
    }
  }
}
