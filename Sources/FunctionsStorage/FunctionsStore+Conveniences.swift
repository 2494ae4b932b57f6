public import Foundation

extension FunctionsStore {
  /// Puts a message that is visible at once and expires after Azure's default time to live, 7 days.
  ///
  /// ```swift
  /// let put = try await store.putMessage(queue: "orders", body: Array("hello".utf8))
  /// ```
  public func putMessage(queue: String, body: [UInt8]) async throws -> QueueMessage {
    try await putMessage(queue: queue, body: body, visibilityDelay: .zero, timeToLive: .seconds(7 * 24 * 3600))
  }

  /// Writes a block blob whose whole content is already in memory (bindings, small outputs).
  public func putBlob(
    container: String, name: String, bytes: [UInt8], headers: BlobHTTPHeaders = BlobHTTPHeaders(),
    metadata: [String: String] = [:], conditions: BlobConditions = .none
  ) async throws -> BlobProperties {
    try await putBlob(
      container: container, name: name, content: InMemoryContent(bytes: bytes), headers: headers,
      metadata: metadata, conditions: conditions)
  }
}

extension BlobDownload {
  /// Reads the whole served range into memory, failing with ``StorageError/Code/invalidInput`` when
  /// it is larger than `maxBytes` (for bindings that hand the content to a worker in one message).
  public func collect(maxBytes: Int = .max) async throws -> [UInt8] {
    if let range, range.upperBound - range.lowerBound + 1 > Int64(maxBytes) {
      throw StorageError(
        code: .invalidInput,
        message: "blob '\(properties.name)' in container '\(properties.container)' is larger than \(maxBytes) bytes")
    }
    var bytes: [UInt8] = []
    if let range { bytes.reserveCapacity(Int(range.upperBound - range.lowerBound + 1)) }
    for try await chunk in chunks { bytes += chunk }
    return bytes
  }
}

/// One in-memory body as a content sequence.
struct InMemoryContent: AsyncSequence, Sendable {
  typealias Element = [UInt8]
  typealias Failure = any Error
  var bytes: [UInt8]

  struct AsyncIterator: AsyncIteratorProtocol {
    var bytes: [UInt8]?
    mutating func next() async throws -> [UInt8]? {
      defer { bytes = nil }
      return bytes.flatMap { $0.isEmpty ? nil : $0 }
    }
  }

  func makeAsyncIterator() -> AsyncIterator { AsyncIterator(bytes: bytes) }
}
