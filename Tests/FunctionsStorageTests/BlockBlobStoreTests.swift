import Foundation
import FunctionsStorage
import Testing

@Suite("Block blobs (shared store suite)")
struct BlockBlobStoreTests {
  private static func id(_ n: Int) -> String { Data(String(format: "block-%04d", n).utf8).base64EncodedString() }

  @Test(arguments: StoreFactory.all)
  func commitBuildsTheBlobFromBlocksInListOrder(_ factory: StoreFactory) async throws {
    try await factory.withStore { store, _ in
      _ = try await store.createContainer("data", metadata: [:], publicAccess: nil)
      try await store.putBlock(container: "data", name: "big", blockID: Self.id(1), content: Pieces("first-"))
      try await store.putBlock(
        container: "data", name: "big", blockID: Self.id(2), content: Pieces([Array(repeating: 66, count: 1500)]))
      try await store.putBlock(container: "data", name: "big", blockID: Self.id(3), content: Pieces("unused"))
      // Re-putting an id replaces the block.
      try await store.putBlock(container: "data", name: "big", blockID: Self.id(1), content: Pieces("FIRST-"))
      #expect(try await store.blobProperties(container: "data", name: "big") == nil)

      let committed = try await store.commitBlockList(
        container: "data", name: "big", blockIDs: [Self.id(2), Self.id(1)],
        headers: BlobHTTPHeaders(contentType: "application/octet-stream"), metadata: ["k": "v"], conditions: .none)
      #expect(committed.contentLength == 1506)
      #expect(committed.metadata == ["k": "v"])
      #expect(committed.headers.contentMD5 == nil)
      let text = try await store.text("data", "big")
      #expect(text == String(repeating: "B", count: 1500) + "FIRST-")
      // A range across the two blocks.
      #expect(try await store.text("data", "big", range: ByteRange(start: 1498, end: 1502)) == "BBFIR")

      // The unnamed uncommitted block was discarded.
      await expectStorageError(.invalidBlockList) {
        try await store.commitBlockList(
          container: "data", name: "big", blockIDs: [Self.id(3)], headers: BlobHTTPHeaders(), metadata: [:],
          conditions: .none)
      }
    }
  }

  @Test(arguments: StoreFactory.all)
  func aNewListMayReuseCommittedBlocks(_ factory: StoreFactory) async throws {
    try await factory.withStore { store, clock in
      _ = try await store.createContainer("data", metadata: [:], publicAccess: nil)
      try await store.putBlock(container: "data", name: "b", blockID: Self.id(1), content: Pieces("one,"))
      try await store.putBlock(container: "data", name: "b", blockID: Self.id(2), content: Pieces("two,"))
      let first = try await store.commitBlockList(
        container: "data", name: "b", blockIDs: [Self.id(1), Self.id(2)], headers: BlobHTTPHeaders(), metadata: [:],
        conditions: .none)
      clock.advance(by: .seconds(1))
      try await store.putBlock(container: "data", name: "b", blockID: Self.id(3), content: Pieces("three,"))
      let second = try await store.commitBlockList(
        container: "data", name: "b", blockIDs: [Self.id(2), Self.id(3), Self.id(2)], headers: BlobHTTPHeaders(),
        metadata: [:], conditions: BlobConditions(ifMatch: first.etag))
      #expect(second.creationTime == first.creationTime)
      #expect(second.etag != first.etag)
      #expect(try await store.text("data", "b") == "two,three,two,")
      // Block 1 was dropped from the blob by the second list.
      await expectStorageError(.invalidBlockList) {
        try await store.commitBlockList(
          container: "data", name: "b", blockIDs: [Self.id(1)], headers: BlobHTTPHeaders(), metadata: [:],
          conditions: .none)
      }
      #expect(try await store.text("data", "b") == "two,three,two,")
    }
  }

  @Test(arguments: StoreFactory.all)
  func commitChecksConditionsAndAnEmptyListMakesAnEmptyBlob(_ factory: StoreFactory) async throws {
    try await factory.withStore { store, _ in
      _ = try await store.createContainer("data", metadata: [:], publicAccess: nil)
      try await store.put("data", "b", "existing")
      try await store.putBlock(container: "data", name: "b", blockID: Self.id(1), content: Pieces("x"))
      await expectStorageError(.blobAlreadyExists) {
        try await store.commitBlockList(
          container: "data", name: "b", blockIDs: [Self.id(1)], headers: BlobHTTPHeaders(), metadata: [:],
          conditions: BlobConditions(ifNoneMatch: "*"))
      }
      #expect(try await store.text("data", "b") == "existing")
      let empty = try await store.commitBlockList(
        container: "data", name: "b", blockIDs: [], headers: BlobHTTPHeaders(), metadata: [:], conditions: .none)
      #expect(empty.contentLength == 0)
      #expect(try await store.text("data", "b") == "")
    }
  }

  @Test(arguments: StoreFactory.all)
  func putBlobDiscardsUncommittedBlocks(_ factory: StoreFactory) async throws {
    try await factory.withStore { store, _ in
      _ = try await store.createContainer("data", metadata: [:], publicAccess: nil)
      try await store.putBlock(container: "data", name: "b", blockID: Self.id(1), content: Pieces("x"))
      try await store.put("data", "b", "whole")
      await expectStorageError(.invalidBlockList) {
        try await store.commitBlockList(
          container: "data", name: "b", blockIDs: [Self.id(1)], headers: BlobHTTPHeaders(), metadata: [:],
          conditions: .none)
      }
    }
  }

  @Test(arguments: StoreFactory.all)
  func blockIDsAreValidated(_ factory: StoreFactory) async throws {
    try await factory.withStore { store, _ in
      await expectStorageError(.containerNotFound) {
        try await store.putBlock(container: "nope", name: "b", blockID: Self.id(1), content: Pieces("x"))
      }
      _ = try await store.createContainer("data", metadata: [:], publicAccess: nil)
      for bad in ["not base64!", "", Data(repeating: 1, count: 65).base64EncodedString()] {
        await expectStorageError(.invalidInput) {
          try await store.putBlock(container: "data", name: "b", blockID: bad, content: Pieces("x"))
        }
      }
      try await store.putBlock(container: "data", name: "b", blockID: "QUFB", content: Pieces("x"))
      let error = await expectStorageError(.invalidInput) {
        try await store.putBlock(container: "data", name: "b", blockID: "QUFBQUFB", content: Pieces("x"))
      }
      #expect(error?.message.contains("QUFBQUFB") == true)
      // Another blob has its own length.
      try await store.putBlock(container: "data", name: "c", blockID: "QUFBQUFB", content: Pieces("x"))
    }
  }

  @Test(arguments: StoreFactory.all)
  func conditionsAreCheckedAgainWhenTheUploadCommits(_ factory: StoreFactory) async throws {
    try await factory.withStore { store, _ in
      _ = try await store.createContainer("data", metadata: [:], publicAccess: nil)
      let original = try await store.put("data", "a", "v1")
      // The content sequence overwrites the blob while the upload is in flight.
      let racing = RacingPieces(store: store)
      await expectStorageError(.conditionNotMet) {
        try await store.putBlob(
          container: "data", name: "a", content: racing, headers: BlobHTTPHeaders(), metadata: [:],
          conditions: BlobConditions(ifMatch: original.etag))
      }
      #expect(try await store.text("data", "a") == "raced")
    }
  }
}

/// Yields one piece, but first overwrites blob data/a through the store.
private struct RacingPieces: AsyncSequence, Sendable {
  typealias Element = [UInt8]
  typealias Failure = any Error
  let store: any FunctionsStore

  struct AsyncIterator: AsyncIteratorProtocol {
    let store: any FunctionsStore
    var done = false
    mutating func next() async throws -> [UInt8]? {
      guard !done else { return nil }
      done = true
      try await store.put("data", "a", "raced")
      return Array("mine".utf8)
    }
  }

  func makeAsyncIterator() -> AsyncIterator { AsyncIterator(store: store) }
}
