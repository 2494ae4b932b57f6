internal import Foundation
internal import GRDB

/// One piece of a blob's content: a whole extent (a Put Blob body or one block).
struct Segment: Codable, Sendable, Hashable {
  /// The extent id.
  var e: Int64
  /// Its length in bytes.
  var n: Int64
  /// The block id when the extent was a block, for later block lists that name committed blocks.
  var b: String?
}

/// A blob row: its properties and the extents holding its content, in order.
struct StoredBlob: Sendable {
  var properties: BlobProperties
  var segments: [Segment]

  static let columns = """
    name, segments, content_length, etag, last_modified, creation_time, content_type, content_encoding,
    content_language, content_disposition, cache_control, content_md5, metadata
    """

  init(container: String, row: Row) {
    let segmentsText: String = row[1]
    segments = (try? JSONDecoder().decode([Segment].self, from: Data(segmentsText.utf8))) ?? []
    properties = BlobProperties(
      container: container, name: row[0], contentLength: row[2], etag: row[3], lastModified: Micros.date(row[4]),
      creationTime: Micros.date(row[5]),
      headers: BlobHTTPHeaders(
        contentType: row[6], contentEncoding: row[7], contentLanguage: row[8], contentDisposition: row[9],
        cacheControl: row[10], contentMD5: row[11]),
      metadata: MetadataCoding.decode(row[12]))
  }

  static func fetch(_ db: Database, container: String, name: String) throws -> StoredBlob? {
    try Row.fetchOne(
      db.cachedStatement(sql: "SELECT \(columns) FROM blob WHERE container = ? AND name = ?"),
      arguments: [container, name]
    ).map { StoredBlob(container: container, row: $0) }
  }

  static func encode(_ segments: [Segment]) -> String {
    guard !segments.isEmpty else { return "[]" }
    let data = (try? JSONEncoder().encode(segments)) ?? Data("[]".utf8)
    return String(decoding: data, as: UTF8.self)
  }

  /// Inserts or replaces the blob row (the caller keeps `creationTime` across overwrites).
  static func save(_ db: Database, _ properties: BlobProperties, segments: [Segment]) throws {
    let headers = properties.headers
    try db.cachedStatement(
      sql: """
        INSERT OR REPLACE INTO blob (container, \(columns))
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """
    ).execute(arguments: [
      properties.container, properties.name, encode(segments), properties.contentLength, properties.etag,
      Micros.of(properties.lastModified), Micros.of(properties.creationTime), headers.contentType,
      headers.contentEncoding, headers.contentLanguage, headers.contentDisposition, headers.cacheControl,
      headers.contentMD5, MetadataCoding.encode(properties.metadata),
    ])
  }

  /// Deletes the blob's extents that neither `keeping` nor its uncommitted blocks reference.
  static func collectGarbage(_ db: Database, container: String, name: String, keeping: [Segment]) throws {
    let kept = Set(keeping.map(\.e))
    let candidates = try Int64.fetchAll(
      db.cachedStatement(
        sql: """
          SELECT id FROM extent WHERE container = ? AND blob = ? AND pending = 0
          AND id NOT IN (SELECT extent_id FROM uncommitted_block WHERE container = ? AND blob = ?)
          """),
      arguments: [container, name, container, name])
    let delete = try db.cachedStatement(sql: "DELETE FROM extent WHERE id = ?")
    for id in candidates where !kept.contains(id) {
      try delete.execute(arguments: [id])
    }
  }
}
