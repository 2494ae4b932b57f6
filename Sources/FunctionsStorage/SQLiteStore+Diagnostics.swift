internal import GRDB

/// Counts of stored content, for tests and diagnostics: after every blob write or delete the
/// chunks must belong to live blobs or uncommitted blocks only.
package struct ContentStatistics: Sendable, Hashable {
  /// Extents (blob bodies and blocks), pending ones included.
  package var extents: Int
  /// Extents still being written (or left by a crash before the next open).
  package var pendingExtents: Int
  /// Stored chunks.
  package var chunks: Int
  /// Bytes in stored chunks.
  package var chunkBytes: Int64

  /// Creates statistics (tests compare against expected values).
  package init(extents: Int, pendingExtents: Int, chunks: Int, chunkBytes: Int64) {
    self.extents = extents
    self.pendingExtents = pendingExtents
    self.chunks = chunks
    self.chunkBytes = chunkBytes
  }
}

extension SQLiteStore {
  /// Counts the stored content.
  package func contentStatistics() async throws -> ContentStatistics {
    try await read("count stored content") { db in
      let extents = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM extent") ?? 0
      let pending = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM extent WHERE pending = 1") ?? 0
      let chunks = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM chunk") ?? 0
      let bytes = try Int64.fetchOne(db, sql: "SELECT COALESCE(SUM(length(data)), 0) FROM chunk") ?? 0
      return ContentStatistics(extents: extents, pendingExtents: pending, chunks: chunks, chunkBytes: bytes)
    }
  }
}
