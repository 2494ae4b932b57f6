import Foundation
import FunctionsStorage
import Testing

/// Expects `body` to throw a ``StorageError`` with `code`, and returns it.
@discardableResult
func expectStorageError<T>(
  _ code: StorageError.Code, sourceLocation: SourceLocation = #_sourceLocation,
  _ body: () async throws -> T
) async -> StorageError? {
  do {
    _ = try await body()
    Issue.record("expected \(code), but the call succeeded", sourceLocation: sourceLocation)
    return nil
  } catch let error as StorageError {
    #expect(error.code == code, "expected \(code), got \(error)", sourceLocation: sourceLocation)
    return error
  } catch {
    Issue.record("expected StorageError \(code), got \(error)", sourceLocation: sourceLocation)
    return nil
  }
}

/// A finite sequence of byte pieces, for uploads.
struct Pieces: AsyncSequence, Sendable {
  typealias Element = [UInt8]
  typealias Failure = any Error
  var pieces: [[UInt8]]

  init(_ pieces: [[UInt8]]) { self.pieces = pieces }
  init(_ bytes: [UInt8]) { self.pieces = bytes.isEmpty ? [] : [bytes] }
  init(_ text: String) { self.init(Array(text.utf8)) }

  struct AsyncIterator: AsyncIteratorProtocol {
    var rest: ArraySlice<[UInt8]>
    mutating func next() async throws -> [UInt8]? { rest.popFirst() }
  }

  func makeAsyncIterator() -> AsyncIterator { AsyncIterator(rest: pieces[...]) }
}

/// A sequence that yields some pieces and then fails, like a dropped client connection.
struct FailingPieces: AsyncSequence, Sendable {
  typealias Element = [UInt8]
  typealias Failure = any Error
  struct Dropped: Error {}
  var pieces: [[UInt8]]

  struct AsyncIterator: AsyncIteratorProtocol {
    var rest: ArraySlice<[UInt8]>
    mutating func next() async throws -> [UInt8]? {
      guard let piece = rest.popFirst() else { throw Dropped() }
      return piece
    }
  }

  func makeAsyncIterator() -> AsyncIterator { AsyncIterator(rest: pieces[...]) }
}

/// Deterministic pseudo-random bytes (xorshift), generated lazily in pieces of `pieceSize`.
struct GeneratedBytes: AsyncSequence, Sendable {
  typealias Element = [UInt8]
  typealias Failure = any Error
  var total: Int
  var pieceSize: Int
  var seed: UInt64 = 0x9E37_79B9_7F4A_7C15

  struct AsyncIterator: AsyncIteratorProtocol {
    var remaining: Int
    var pieceSize: Int
    var state: UInt64
    mutating func next() async throws -> [UInt8]? {
      guard remaining > 0 else { return nil }
      let count = Swift.min(pieceSize, remaining)
      remaining -= count
      return GeneratedBytes.fill(count: count, state: &state)
    }
  }

  func makeAsyncIterator() -> AsyncIterator {
    AsyncIterator(remaining: total, pieceSize: pieceSize, state: seed)
  }

  static func fill(count: Int, state: inout UInt64) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: count)
    var x = state
    bytes.withUnsafeMutableBytes { raw in
      var index = 0
      while index + 8 <= count {
        x ^= x << 13
        x ^= x >> 7
        x ^= x << 17
        raw.storeBytes(of: x, toByteOffset: index, as: UInt64.self)
        index += 8
      }
      while index < count {
        x ^= x << 13
        x ^= x >> 7
        x ^= x << 17
        raw[index] = UInt8(truncatingIfNeeded: x)
        index += 1
      }
    }
    state = x
    return bytes
  }
}

/// All bytes of a download, and the chunk sizes they came in.
func collect(_ download: BlobDownload) async throws -> (bytes: [UInt8], chunkSizes: [Int]) {
  var bytes: [UInt8] = []
  var sizes: [Int] = []
  for try await chunk in download.chunks {
    bytes += chunk
    sizes.append(chunk.count)
  }
  return (bytes, sizes)
}

extension FunctionsStore {
  /// Puts a text message that is visible at once and never expires.
  @discardableResult
  func put(_ queue: String, _ text: String) async throws -> QueueMessage {
    try await putMessage(queue: queue, body: Array(text.utf8), visibilityDelay: .zero, timeToLive: nil)
  }

  /// Receives one message (or nil) with a 30 s visibility timeout.
  func receiveOne(_ queue: String, owner: String? = nil) async throws -> QueueMessage? {
    try await receiveMessages(queue: queue, count: 1, visibilityTimeout: .seconds(30), owner: owner).first
  }

  /// Writes a small blob.
  @discardableResult
  func put(
    _ container: String, _ name: String, _ text: String, headers: BlobHTTPHeaders = BlobHTTPHeaders(),
    metadata: [String: String] = [:], conditions: BlobConditions = .none
  ) async throws -> BlobProperties {
    try await putBlob(
      container: container, name: name, content: Pieces(text), headers: headers, metadata: metadata,
      conditions: conditions)
  }

  /// Reads a whole blob as text.
  func text(_ container: String, _ name: String, range: ByteRange? = nil, conditions: BlobConditions = .none)
    async throws -> String
  {
    let download = try await readBlob(container: container, name: name, range: range, conditions: conditions)
    return String(decoding: try await collect(download).bytes, as: UTF8.self)
  }
}

/// Waits for the next change on `iterator`, failing the test if the stream ends.
func nextChange(_ iterator: inout AsyncStream<StoreChange>.Iterator, sourceLocation: SourceLocation = #_sourceLocation)
  async -> StoreChange?
{
  let change = await iterator.next()
  if change == nil { Issue.record("the change stream ended", sourceLocation: sourceLocation) }
  return change
}
