internal import FunctionsStorage
internal import Hummingbird

/// A request body as the store reads it: `[UInt8]` chunks straight from Hummingbird's (back-
/// pressured) body stream, never collected, failing with `RequestBodyTooLarge` past `limit`.
struct RequestBodyChunks: AsyncSequence, Sendable {
  typealias Element = [UInt8]
  typealias Failure = any Error

  let body: RequestBody
  let limit: Int64

  struct AsyncIterator: AsyncIteratorProtocol {
    typealias Element = [UInt8]
    typealias Failure = any Error

    var base: RequestBody.AsyncIterator
    let limit: Int64
    var received: Int64 = 0

    mutating func next() async throws -> [UInt8]? {
      while let buffer = try await base.next() {
        guard buffer.readableBytes > 0 else { continue }
        received += Int64(buffer.readableBytes)
        guard received <= limit else {
          throw StorageError.endpoint(
            .requestBodyTooLarge,
            "The request body is too large and exceeds the maximum permissible limit (\(limit) bytes).")
        }
        return Array(buffer.readableBytesView)
      }
      return nil
    }
  }

  func makeAsyncIterator() -> AsyncIterator {
    AsyncIterator(base: body.makeAsyncIterator(), limit: limit)
  }
}
