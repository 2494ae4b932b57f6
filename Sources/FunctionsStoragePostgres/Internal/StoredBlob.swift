internal import Foundation
internal import FunctionsStorage
internal import Logging
internal import PostgresNIO

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

  init(container: String, row: PostgresRow) throws {
    let (
      name, segmentsText, length, etag, lastModified, creationTime, contentType, contentEncoding,
      contentLanguage, contentDisposition, cacheControl, contentMD5, metadata
    ) = try row.decode(
      (
        String, String, Int64, String, Int64, Int64, String?, String?, String?, String?, String?, String?,
        String
      ).self)
    segments = (try? JSONDecoder().decode([Segment].self, from: Data(segmentsText.utf8))) ?? []
    properties = BlobProperties(
      container: container, name: name, contentLength: length, etag: etag, lastModified: Micros.date(lastModified),
      creationTime: Micros.date(creationTime),
      headers: BlobHTTPHeaders(
        contentType: contentType, contentEncoding: contentEncoding, contentLanguage: contentLanguage,
        contentDisposition: contentDisposition, cacheControl: cacheControl, contentMD5: contentMD5),
      metadata: MetadataCoding.decode(metadata))
  }

  /// The blob, or `nil`; `lock` takes its row lock (`FOR UPDATE`) in the caller's transaction.
  static func fetch(
    _ connection: PostgresConnection, container: String, name: String, logger: Logger, lock: Bool = false
  ) async throws -> StoredBlob? {
    let rows = try await connection.rows(
      """
      SELECT \(unescaped: columns) FROM blob WHERE container = \(container) AND name = \(name)
      \(unescaped: lock ? "FOR UPDATE" : "")
      """, logger: logger)
    return try rows.first.map { try StoredBlob(container: container, row: $0) }
  }

  static func encode(_ segments: [Segment]) -> String {
    guard !segments.isEmpty else { return "[]" }
    let data = (try? JSONEncoder().encode(segments)) ?? Data("[]".utf8)
    return String(decoding: data, as: UTF8.self)
  }

  /// Inserts or replaces the blob row (the caller keeps `creationTime` across overwrites).
  static func save(
    _ connection: PostgresConnection, _ properties: BlobProperties, segments: [Segment], logger: Logger
  ) async throws {
    let headers = properties.headers
    try await connection.query(
      """
      INSERT INTO blob (container, \(unescaped: columns))
      VALUES (\(properties.container), \(properties.name), \(encode(segments)), \(properties.contentLength),
        \(properties.etag), \(Micros.of(properties.lastModified)), \(Micros.of(properties.creationTime)),
        \(headers.contentType), \(headers.contentEncoding), \(headers.contentLanguage), \(headers.contentDisposition),
        \(headers.cacheControl), \(headers.contentMD5), \(MetadataCoding.encode(properties.metadata)))
      ON CONFLICT (container, name) DO UPDATE SET segments = excluded.segments,
        content_length = excluded.content_length, etag = excluded.etag, last_modified = excluded.last_modified,
        creation_time = excluded.creation_time, content_type = excluded.content_type,
        content_encoding = excluded.content_encoding, content_language = excluded.content_language,
        content_disposition = excluded.content_disposition, cache_control = excluded.cache_control,
        content_md5 = excluded.content_md5, metadata = excluded.metadata
      """, logger: logger)
  }

  /// Deletes the blob's extents that neither `keeping` nor its uncommitted blocks reference.
  static func collectGarbage(
    _ connection: PostgresConnection, container: String, name: String, keeping: [Segment], logger: Logger
  ) async throws {
    let kept = keeping.map(\.e)
    try await connection.query(
      """
      DELETE FROM extent WHERE container = \(container) AND blob = \(name) AND NOT pending
        AND id <> ALL(\(kept))
        AND id NOT IN (SELECT extent_id FROM uncommitted_block WHERE container = \(container) AND blob = \(name))
      """, logger: logger)
  }
}

extension PostgresStore {
  /// Serialises writers of one blob across hosts (a transaction-scoped advisory lock on the name),
  /// and checks the container exists, holding it (`FOR SHARE`) until the transaction ends so that it
  /// cannot be deleted under the write.
  func lockBlob(_ connection: PostgresConnection, container: String, name: String) async throws {
    try await connection.query(
      "SELECT pg_advisory_xact_lock(hashtextextended(\(container) || '/' || \(name), 0))", logger: logger)
    let exists = try await !connection.rows(
      "SELECT 1 FROM container WHERE name = \(container) FOR SHARE", logger: logger
    ).isEmpty
    guard exists else { throw Self.containerNotFound(container) }
  }
}
