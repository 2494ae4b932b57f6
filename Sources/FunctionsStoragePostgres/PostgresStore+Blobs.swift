internal import Foundation
public import FunctionsStorage
internal import PostgresNIO

extension PostgresStore {
  /// Writes a block blob from a stream; see ``FunctionsStore/putBlob(container:name:content:headers:metadata:conditions:)``.
  ///
  /// The content goes into a pending extent, one chunk per statement; one final transaction checks
  /// `conditions` against the blob as it is then (holding the blob's advisory lock, so writers on
  /// other hosts take turns), swaps the blob to the new content, deletes the old content and any
  /// uncommitted blocks, and announces the write. When `headers.contentMD5` is `nil` the MD5 is computed.
  public func putBlob(
    container: String, name: String, content: some AsyncSequence<[UInt8], any Error> & Sendable,
    headers: BlobHTTPHeaders, metadata: [String: String], conditions: BlobConditions
  ) async throws -> BlobProperties {
    try NameRules.validateContainer(container)
    try NameRules.validateBlob(name)
    // Fail fast, before streaming the content, when the conditions already fail.
    try await connection("put blob '\(name)' in container '\(container)'") { connection in
      try await requireContainer(connection, container)
      let current = try await StoredBlob.fetch(connection, container: container, name: name, logger: logger)
      try conditions.check(against: current?.properties, container: container, name: name, use: .create)
    }
    let extent = try await writeExtent(
      container: container, blob: name, content: content, computeMD5: headers.contentMD5 == nil)
    var headers = headers
    if headers.contentMD5 == nil { headers.contentMD5 = extent.md5 }
    let segments = [Segment(e: extent.id, n: extent.length, b: nil)]
    do {
      return try await commitContent(
        container: container, name: name, segments: segments, length: extent.length, headers: headers,
        metadata: metadata, conditions: conditions
      ) { connection in try await self.adoptExtent(connection, extent, container: container) }
    } catch {
      await discardExtent(extent.id)
      throw error
    }
  }

  /// The blob's properties; see ``FunctionsStore/blobProperties(container:name:)``.
  public func blobProperties(container: String, name: String) async throws -> BlobProperties? {
    try NameRules.validateContainer(container)
    try NameRules.validateBlob(name)
    return try await connection("read blob '\(name)' in container '\(container)'") { connection in
      try await requireContainer(connection, container)
      return try await StoredBlob.fetch(connection, container: container, name: name, logger: logger)?.properties
    }
  }

  /// Opens a blob for reading; see ``FunctionsStore/readBlob(container:name:range:conditions:)``.
  /// The content is read lazily, one chunk per statement.
  public func readBlob(container: String, name: String, range: ByteRange?, conditions: BlobConditions)
    async throws -> BlobDownload
  {
    try NameRules.validateContainer(container)
    try NameRules.validateBlob(name)
    let blob = try await connection("read blob '\(name)' in container '\(container)'") { connection in
      try await requireContainer(connection, container)
      let blob = try await StoredBlob.fetch(connection, container: container, name: name, logger: logger)
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
    try await transaction("delete blob '\(name)' in container '\(container)'") { connection in
      try await lockBlob(connection, container: container, name: name)
      let blob = try await StoredBlob.fetch(connection, container: container, name: name, logger: logger)
      try conditions.check(against: blob?.properties, container: container, name: name, use: .modify)
      try await connection.query(
        "DELETE FROM blob WHERE container = \(container) AND name = \(name)", logger: logger)
      try await connection.query(
        "DELETE FROM uncommitted_block WHERE container = \(container) AND blob = \(name)", logger: logger)
      try await connection.query(
        "DELETE FROM extent WHERE container = \(container) AND blob = \(name) AND NOT pending", logger: logger)
    }
  }

  /// Lists blobs; see ``FunctionsStore/listBlobs(container:prefix:marker:maxResults:)``.
  public func listBlobs(container: String, prefix: String?, marker: String?, maxResults: Int) async throws
    -> Page<BlobProperties>
  {
    try NameRules.validateContainer(container)
    try Self.validateMaxResults(maxResults)
    let range = NameRange(prefix: prefix, marker: marker)
    return try await connection("list blobs of container '\(container)'") { connection in
      try await requireContainer(connection, container)
      let found = try await connection.rows(
        """
        SELECT \(unescaped: StoredBlob.columns) FROM blob
        WHERE container = \(container) AND name >= \(range.lower) AND starts_with(name, \(range.prefix))
        ORDER BY name LIMIT \(maxResults + 1)
        """, logger: logger)
      let blobs = try found.map { try StoredBlob(container: container, row: $0).properties }
      return Page(
        items: Array(blobs.prefix(maxResults)), nextMarker: blobs.count > maxResults ? blobs[maxResults].name : nil)
    }
  }

  // MARK: Helpers

  /// In one transaction, holding the blob's lock: checks `conditions` against the current blob,
  /// runs `prepare` (which adopts the new extents), replaces the blob row with `segments` (keeping
  /// the creation time), discards uncommitted blocks, deletes content no longer referenced and
  /// announces the write to every host.
  func commitContent(
    container: String, name: String, segments: [Segment], length: Int64, headers: BlobHTTPHeaders,
    metadata: [String: String], conditions: BlobConditions,
    prepare: @escaping @Sendable (PostgresConnection) async throws -> Void
  ) async throws -> BlobProperties {
    let now = configuration.now()
    let etag = Identifiers.etag()
    let notice = payload(.blobWritten(container: container, name: name))
    let properties = try await transaction("commit blob '\(name)' in container '\(container)'") { connection in
      try await lockBlob(connection, container: container, name: name)
      let current = try await StoredBlob.fetch(connection, container: container, name: name, logger: logger)
      try conditions.check(against: current?.properties, container: container, name: name, use: .create)
      try await prepare(connection)
      let properties = BlobProperties(
        container: container, name: name, contentLength: length, etag: etag,
        lastModified: Micros.date(Micros.of(now)),
        creationTime: current?.properties.creationTime ?? Micros.date(Micros.of(now)), headers: headers,
        metadata: metadata)
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

  private func modifyBlob(
    container: String, name: String, conditions: BlobConditions, what: String,
    change: @escaping @Sendable (inout BlobProperties) -> Void
  ) async throws -> BlobProperties {
    try NameRules.validateContainer(container)
    try NameRules.validateBlob(name)
    let now = Micros.date(nowMicros())
    let etag = Identifiers.etag()
    return try await transaction("\(what) blob '\(name)' in container '\(container)'") { connection in
      try await lockBlob(connection, container: container, name: name)
      let current = try await StoredBlob.fetch(connection, container: container, name: name, logger: logger)
      try conditions.check(against: current?.properties, container: container, name: name, use: .modify)
      guard let current else {
        throw StorageError(code: .blobNotFound, message: "blob '\(name)' in container '\(container)' does not exist")
      }
      var properties = current.properties
      change(&properties)
      properties.etag = etag
      properties.lastModified = now
      try await StoredBlob.save(connection, properties, segments: current.segments, logger: logger)
      return properties
    }
  }

  /// Throws ``StorageError/Code/containerNotFound`` unless the container exists.
  func requireContainer(_ connection: PostgresConnection, _ name: String) async throws {
    let found = try await connection.rows("SELECT 1 FROM container WHERE name = \(name)", logger: logger)
    guard !found.isEmpty else { throw Self.containerNotFound(name) }
  }
}
