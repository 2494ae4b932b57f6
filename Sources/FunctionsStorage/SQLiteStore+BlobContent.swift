internal import Foundation
internal import GRDB
internal import Synchronization

/// An extent written from a stream, still pending: nobody sees it until a transaction marks it done.
struct WrittenExtent: Sendable {
  var id: Int64
  var length: Int64
  /// The base64 MD5 of the content, when it was asked for.
  var md5: String?
}

extension SQLiteStore {
  /// Streams `content` into a new pending extent owned by (`container`, `blob`), one chunk per
  /// transaction, holding at most one chunk in memory. On failure (including cancellation and a
  /// failing sequence) the extent is deleted; if that fails too, the next open deletes it.
  func writeExtent(
    container: String, blob: String, content: some AsyncSequence<[UInt8], any Error> & Sendable, computeMD5: Bool
  ) async throws -> WrittenExtent {
    let id = try await write("store content of blob '\(blob)' in container '\(container)'") { db in
      try db.cachedStatement(sql: "INSERT INTO extent (container, blob, length, pending) VALUES (?, ?, 0, 1)")
        .execute(arguments: [container, blob])
      return db.lastInsertedRowID
    }
    do {
      let chunkSize = max(1, configuration.chunkSize)
      var md5 = computeMD5 ? MD5() : nil
      var buffer: [UInt8] = []
      var offset: Int64 = 0
      for try await piece in content {
        md5?.update(piece)
        var start = 0
        while start < piece.count {
          if buffer.isEmpty, piece.count - start >= chunkSize {
            // A whole chunk straight from the piece, without copying it into the buffer.
            try await writeChunk(extent: id, offset: offset, bytes: piece[start..<(start + chunkSize)], blob: blob)
            offset += Int64(chunkSize)
            start += chunkSize
            continue
          }
          if buffer.isEmpty { buffer.reserveCapacity(chunkSize) }
          let take = min(chunkSize - buffer.count, piece.count - start)
          buffer.append(contentsOf: piece[start..<(start + take)])
          start += take
          if buffer.count == chunkSize {
            try await writeChunk(extent: id, offset: offset, bytes: buffer[...], blob: blob)
            offset += Int64(buffer.count)
            buffer.removeAll(keepingCapacity: true)
          }
        }
      }
      if !buffer.isEmpty {
        try await writeChunk(extent: id, offset: offset, bytes: buffer[...], blob: blob)
        offset += Int64(buffer.count)
      }
      let length = offset
      try await write("store content of blob '\(blob)' in container '\(container)'") { db in
        try db.cachedStatement(sql: "UPDATE extent SET length = ? WHERE id = ?").execute(arguments: [length, id])
      }
      let digest = md5.map { hasher in
        var hasher = hasher
        return Data(hasher.finalize()).base64EncodedString()
      }
      return WrittenExtent(id: id, length: length, md5: digest)
    } catch {
      await discardExtent(id)
      throw error
    }
  }

  private func writeChunk(extent: Int64, offset: Int64, bytes: ArraySlice<UInt8>, blob: String) async throws {
    let data = Data(bytes)
    try await write("store content of blob '\(blob)'") { db in
      try db.cachedStatement(sql: "INSERT INTO chunk (extent_id, offset, data) VALUES (?, ?, ?)")
        .execute(arguments: [extent, offset, data])
    }
  }

  /// Deletes an extent that will not be used (best effort: a leftover pending extent is deleted at
  /// the next open).
  func discardExtent(_ id: Int64) async {
    _ = try? await pool.write { db in
      try db.cachedStatement(sql: "DELETE FROM extent WHERE id = ?").execute(arguments: [id])
    }
  }

  /// Marks a pending extent as part of the store (inside the committing transaction). Fails when the
  /// extent is gone, i.e. its container was deleted during the upload.
  static func adoptExtent(_ db: Database, _ extent: WrittenExtent, container: String) throws {
    try db.cachedStatement(sql: "UPDATE extent SET pending = 0 WHERE id = ? AND pending = 1")
      .execute(arguments: [extent.id])
    guard db.changesCount > 0 else {
      throw StorageError(
        code: .containerNotFound, message: "container '\(container)' was deleted while content was being stored")
    }
  }

  /// A lazy stream of the bytes `range` of a blob whose content is `segments`: one database read
  /// per element, each at most one stored chunk.
  func contentStream(
    segments: [Segment], range: ClosedRange<Int64>?, container: String, name: String
  ) -> AsyncThrowingStream<[UInt8], any Error> {
    guard let range else { return AsyncThrowingStream { $0.finish() } }
    let cursor = ContentCursor(
      pool: pool, segments: segments, range: range, what: "blob '\(name)' in container '\(container)'")
    return AsyncThrowingStream(unfolding: { try await cursor.next() })
  }
}

/// Reads a byte range of a blob's extents, chunk by chunk.
final class ContentCursor: Sendable {
  private struct Piece: Sendable {
    var extent: Int64
    var start: Int64
    var length: Int64
  }

  private let pool: DatabasePool
  private let pieces: [Piece]
  private let end: Int64
  private let what: String
  private let position: Mutex<Int64>

  init(pool: DatabasePool, segments: [Segment], range: ClosedRange<Int64>, what: String) {
    self.pool = pool
    var start: Int64 = 0
    var pieces: [Piece] = []
    for segment in segments {
      if segment.n > 0 { pieces.append(Piece(extent: segment.e, start: start, length: segment.n)) }
      start += segment.n
    }
    self.pieces = pieces
    self.end = range.upperBound + 1
    self.what = what
    self.position = Mutex(range.lowerBound)
  }

  func next() async throws -> [UInt8]? {
    let position = self.position.withLock { $0 }
    guard position < end else { return nil }
    // The last piece starting at or before the position.
    var low = 0
    var high = pieces.count
    while low < high {
      let middle = (low + high) / 2
      if pieces[middle].start <= position { low = middle + 1 } else { high = middle }
    }
    guard low > 0, position < pieces[low - 1].start + pieces[low - 1].length else { throw changed() }
    let piece = pieces[low - 1]
    let within = position - piece.start
    let found: (offset: Int64, data: Data)?
    do {
      found = try await pool.read { db in
        try Row.fetchOne(
          db.cachedStatement(
            sql: "SELECT offset, data FROM chunk WHERE extent_id = ? AND offset <= ? ORDER BY offset DESC LIMIT 1"),
          arguments: [piece.extent, within]
        ).map { (offset: $0[0], data: $0[1]) }
      }
    } catch {
      throw SQLiteStore.wrap(error, "read \(what)")
    }
    guard let (chunkOffset, data) = found else { throw changed() }
    let from = Int(within - chunkOffset)
    let count = Int(min(Int64(data.count - from), piece.start + piece.length - position, end - position))
    guard from >= 0, count > 0 else { throw changed() }
    let bytes = data.withUnsafeBytes { raw in [UInt8](raw[from..<(from + count)]) }
    self.position.withLock { $0 = position + Int64(count) }
    return bytes
  }

  private func changed() -> StorageError {
    StorageError(
      code: .conditionNotMet, message: "\(what) was overwritten or deleted while it was being read")
  }
}
