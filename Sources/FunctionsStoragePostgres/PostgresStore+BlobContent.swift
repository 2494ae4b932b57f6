internal import Foundation
internal import FunctionsStorage
internal import PostgresNIO
internal import Synchronization

/// An extent written from a stream, still pending: nobody sees it until a transaction adopts it.
struct WrittenExtent: Sendable {
  var id: Int64
  var length: Int64
  /// The base64 MD5 of the content, when it was asked for.
  var md5: String?
}

extension PostgresStore {
  /// Streams `content` into a new pending extent owned by (`container`, `blob`), one `bytea` chunk
  /// row per statement, holding at most one chunk in memory. Every chunk also touches the extent,
  /// so that other hosts' orphan cleanup leaves an upload in progress alone. On failure (including
  /// cancellation and a failing sequence) the extent is deleted; if that fails too, the orphan
  /// cleanup of a later start deletes it.
  func writeExtent(
    container: String, blob: String, content: some AsyncSequence<[UInt8], any Error> & Sendable, computeMD5: Bool
  ) async throws -> WrittenExtent {
    let what = "store content of blob '\(blob)' in container '\(container)'"
    let created = try await rows(what, "INSERT INTO extent (container, blob) VALUES (\(container), \(blob)) RETURNING id")
    let id = try created[0].decode(Int64.self)
    do {
      let chunkSize = max(1, configuration.chunkSize)
      var md5 = computeMD5 ? MD5() : nil
      var buffer = ByteBuffer()
      var offset: Int64 = 0
      for try await piece in content {
        md5?.update(piece)
        var start = 0
        while start < piece.count {
          let take = min(chunkSize - buffer.readableBytes, piece.count - start)
          buffer.writeBytes(piece[start..<(start + take)])
          start += take
          if buffer.readableBytes == chunkSize {
            try await writeChunk(extent: id, offset: offset, bytes: buffer, container: container, blob: blob)
            offset += Int64(buffer.readableBytes)
            buffer.clear()
          }
        }
      }
      if buffer.readableBytes > 0 {
        try await writeChunk(extent: id, offset: offset, bytes: buffer, container: container, blob: blob)
        offset += Int64(buffer.readableBytes)
      }
      let length = offset
      _ = try await rows(what, "UPDATE extent SET length = \(length), touched_at = now() WHERE id = \(id)")
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

  private func writeChunk(extent: Int64, offset: Int64, bytes: ByteBuffer, container: String, blob: String)
    async throws
  {
    do {
      _ = try await rows(
        "store content of blob '\(blob)' in container '\(container)'",
        """
        WITH stored AS (
          INSERT INTO chunk (extent_id, chunk_offset, data) VALUES (\(extent), \(offset), \(bytes))
        )
        UPDATE extent SET touched_at = now() WHERE id = \(extent)
        """)
    } catch let error as StorageError where Self.sqlState(error.cause) == SQLState.foreignKeyViolation {
      throw StorageError(
        code: .containerNotFound,
        message: "container '\(container)' was deleted while blob '\(blob)' was being stored")
    }
  }

  /// Deletes an extent that will not be used (best effort: a leftover pending extent is deleted by
  /// the orphan cleanup of a later start).
  func discardExtent(_ id: Int64) async {
    _ = try? await rows("discard stored content", "DELETE FROM extent WHERE id = \(id)")
  }

  /// Marks a pending extent as part of the store (inside the committing transaction). Fails when the
  /// extent is gone, i.e. its container was deleted during the upload.
  func adoptExtent(_ connection: PostgresConnection, _ extent: WrittenExtent, container: String) async throws {
    let adopted = try await connection.rows(
      "UPDATE extent SET pending = false WHERE id = \(extent.id) AND pending RETURNING 1", logger: logger)
    guard !adopted.isEmpty else {
      throw StorageError(
        code: .containerNotFound,
        message: "container '\(container)' was deleted while content was being stored (or the upload was idle for "
          + "longer than the orphaned-content age and a starting host cleaned its content up)")
    }
  }

  /// A lazy stream of the bytes `range` of a blob whose content is `segments`: one statement per
  /// element, each at most one stored chunk.
  func contentStream(
    segments: [Segment], range: ClosedRange<Int64>?, container: String, name: String
  ) -> AsyncThrowingStream<[UInt8], any Error> {
    guard let range else { return AsyncThrowingStream { $0.finish() } }
    let cursor = ContentCursor(
      store: self, segments: segments, range: range, what: "blob '\(name)' in container '\(container)'")
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

  private let store: PostgresStore
  private let pieces: [Piece]
  private let end: Int64
  private let what: String
  private let position: Mutex<Int64>

  init(store: PostgresStore, segments: [Segment], range: ClosedRange<Int64>, what: String) {
    self.store = store
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
    let found = try await store.rows(
      "read \(what)",
      """
      SELECT chunk_offset, data FROM chunk WHERE extent_id = \(piece.extent) AND chunk_offset <= \(within)
      ORDER BY chunk_offset DESC LIMIT 1
      """)
    guard let row = found.first else { throw changed() }
    let (chunkOffset, data) = try row.decode((Int64, ByteBuffer).self)
    let from = Int(within - chunkOffset)
    let count = Int(min(Int64(data.readableBytes - from), piece.start + piece.length - position, end - position))
    guard from >= 0, count > 0, let bytes = data.getBytes(at: data.readerIndex + from, length: count) else {
      throw changed()
    }
    self.position.withLock { $0 = position + Int64(count) }
    return bytes
  }

  private func changed() -> StorageError {
    StorageError(code: .conditionNotMet, message: "\(what) was overwritten or deleted while it was being read")
  }
}
