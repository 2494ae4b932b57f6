package import FunctionsStorage
internal import PostgresNIO

extension PostgresStore {
  /// Counts the stored content (for tests and diagnostics: after every blob write or delete the
  /// chunks must belong to live blobs or uncommitted blocks only).
  package func contentStatistics() async throws -> ContentStatistics {
    let found = try await rows(
      "count stored content",
      """
      SELECT (SELECT count(*) FROM extent), (SELECT count(*) FROM extent WHERE pending),
        (SELECT count(*) FROM chunk), (SELECT COALESCE(sum(length(data)), 0)::bigint FROM chunk)
      """)
    let (extents, pending, chunks, bytes) = try found[0].decode((Int, Int, Int, Int64).self)
    return ContentStatistics(extents: extents, pendingExtents: pending, chunks: chunks, chunkBytes: bytes)
  }

  /// The schema versions applied to the database, in order (for tests and diagnostics).
  package func appliedMigrations() async throws -> [Int] {
    let found = try await rows("read schema versions", "SELECT version FROM schema_migrations ORDER BY version")
    return try found.map { try $0.decode(Int.self) }
  }
}
