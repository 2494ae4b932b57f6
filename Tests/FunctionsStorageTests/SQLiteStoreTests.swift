import Foundation
import FunctionsStorage
import Synchronization
import Testing

@Suite("SQLiteStore specifics")
struct SQLiteStoreTests {
  @Test func reopenKeepsEverything() async throws {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    let path = directory.path + "/nested/deeper/store.sqlite"
    let clock = TestClock()
    let configuration = SQLiteStore.Configuration.defaults {
      $0.chunkSize = 100
      $0.now = { clock.now }
    }
    var first: SQLiteStore? = try SQLiteStore(path: path, configuration: configuration)
    let store = try #require(first)
    _ = try await store.createQueue("work", metadata: ["m": "1"])
    let message = try await store.put("work", "durable")
    _ = try await store.createContainer("data", metadata: [:], publicAccess: nil)
    let blob = try await store.put("data", "a", String(repeating: "z", count: 1234))
    try await store.putBlock(container: "data", name: "b", blockID: "QQ==", content: Pieces("block"))
    let key = BlobReceiptKey(functionID: "f", container: "data", blobName: "a", etag: blob.etag)
    _ = try await store.enqueueIfNoReceipt(key, queue: "triggers", message: [1])
    let status = ScheduleStatus(last: clock.now, next: clock.now.addingTimeInterval(60), lastUpdated: clock.now)
    try await store.setScheduleStatus(status, timer: "t")
    #expect(try await store.acquireLease("l", owner: "me", duration: .seconds(60)))
    store.close()
    first = nil

    let reopened = try SQLiteStore(path: path, configuration: configuration)
    defer { reopened.close() }
    #expect(try await reopened.queueInfo("work") == QueueInfo(name: "work", metadata: ["m": "1"], approximateMessageCount: 1))
    #expect(try await reopened.receiveOne("work")?.id == message.id)
    #expect(try await reopened.blobProperties(container: "data", name: "a") == blob)
    #expect(try await reopened.text("data", "a") == String(repeating: "z", count: 1234))
    _ = try await reopened.commitBlockList(
      container: "data", name: "b", blockIDs: ["QQ=="], headers: BlobHTTPHeaders(), metadata: [:], conditions: .none)
    #expect(try await reopened.text("data", "b") == "block")
    #expect(try await reopened.hasReceipt(key))
    #expect(try await reopened.scheduleStatus(timer: "t") == status)
    #expect(try await !reopened.acquireLease("l", owner: "other", duration: .seconds(60)))
  }

  @Test func filesAreOwnerOnly() async throws {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    let parent = directory.path + "/a/b"
    let store = try SQLiteStore(path: parent + "/store.sqlite")
    defer { store.close() }
    _ = try await store.createQueue("work", metadata: [:])
    func permissions(_ path: String) throws -> Int {
      try #require(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
    }
    #expect(try permissions(directory.path + "/a") == 0o700)
    #expect(try permissions(parent) == 0o700)
    #expect(try permissions(parent + "/store.sqlite") == 0o600)
    #expect(try permissions(parent + "/store.sqlite-wal") == 0o600)
  }

  @Test func closeFinishesChangeStreamsAndLaterCallsFail() async throws {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    let store = try SQLiteStore(path: directory.path + "/store.sqlite")
    let changes = store.changes()
    store.close()
    var count = 0
    for await _ in changes { count += 1 }
    #expect(count == 0)
    var late = store.changes().makeAsyncIterator()
    #expect(await late.next() == nil)
    await expectStorageError(.internalError) { try await store.createQueue("work", metadata: [:]) }
    store.close()
  }

  @Test func overwritesAndDeletesLeaveNoContentBehind() async throws {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    let store = try SQLiteStore(path: directory.path + "/store.sqlite", configuration: .defaults { $0.chunkSize = 10 })
    defer { store.close() }
    _ = try await store.createContainer("data", metadata: [:], publicAccess: nil)
    try await store.put("data", "a", String(repeating: "a", count: 95))
    #expect(try await store.contentStatistics() == ContentStatistics(extents: 1, pendingExtents: 0, chunks: 10, chunkBytes: 95))
    try await store.put("data", "a", String(repeating: "b", count: 20))
    #expect(try await store.contentStatistics() == ContentStatistics(extents: 1, pendingExtents: 0, chunks: 2, chunkBytes: 20))

    try await store.putBlock(container: "data", name: "a", blockID: "MQ==", content: Pieces("11111"))
    try await store.putBlock(container: "data", name: "a", blockID: "Mg==", content: Pieces("22222"))
    try await store.putBlock(container: "data", name: "a", blockID: "Mg==", content: Pieces("2222"))
    try await store.putBlock(container: "data", name: "a", blockID: "Mw==", content: Pieces("333"))
    #expect(try await store.contentStatistics().extents == 4)
    _ = try await store.commitBlockList(
      container: "data", name: "a", blockIDs: ["Mg==", "MQ=="], headers: BlobHTTPHeaders(), metadata: [:], conditions: .none)
    #expect(try await store.contentStatistics() == ContentStatistics(extents: 2, pendingExtents: 0, chunks: 2, chunkBytes: 9))
    _ = try await store.commitBlockList(
      container: "data", name: "a", blockIDs: ["MQ=="], headers: BlobHTTPHeaders(), metadata: [:], conditions: .none)
    #expect(try await store.contentStatistics() == ContentStatistics(extents: 1, pendingExtents: 0, chunks: 1, chunkBytes: 5))

    try await store.deleteBlob(container: "data", name: "a", conditions: .none)
    #expect(try await store.contentStatistics() == ContentStatistics(extents: 0, pendingExtents: 0, chunks: 0, chunkBytes: 0))

    try await store.put("data", "x", "xx")
    try await store.putBlock(container: "data", name: "y", blockID: "MQ==", content: Pieces("yy"))
    _ = try? await store.putBlob(
      container: "data", name: "z", content: FailingPieces(pieces: [Array(repeating: 1, count: 25)]),
      headers: BlobHTTPHeaders(), metadata: [:], conditions: .none)
    #expect(try await store.contentStatistics().extents == 2)
    try await store.deleteContainer("data")
    #expect(try await store.contentStatistics() == ContentStatistics(extents: 0, pendingExtents: 0, chunks: 0, chunkBytes: 0))
  }

  @Test func contentOfAnUploadInterruptedByACrashIsDeletedOnOpen() async throws {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    let path = directory.path + "/store.sqlite"
    let store = try SQLiteStore(path: path, configuration: .defaults { $0.chunkSize = 10 })
    _ = try await store.createContainer("data", metadata: [:], publicAccess: nil)
    let (reached, reachedContinuation) = AsyncStream.makeStream(of: Void.self)
    let (proceed, proceedContinuation) = AsyncStream.makeStream(of: Void.self)
    let content = GatedPieces(before: [Array(repeating: 7, count: 30)], reached: reachedContinuation, proceed: proceed)
    try await withThrowingTaskGroup(of: Void.self) { group in
      group.addTask {
        await #expect(throws: (any Error).self) {
          try await store.putBlob(
            container: "data", name: "a", content: content, headers: BlobHTTPHeaders(), metadata: [:], conditions: .none)
        }
      }
      // The upload has stored three chunks and waits for more content: the process "dies" now.
      for await _ in reached { break }
      #expect(try await store.contentStatistics() == ContentStatistics(extents: 1, pendingExtents: 1, chunks: 3, chunkBytes: 30))
      #expect(try await store.blobProperties(container: "data", name: "a") == nil)
      store.close()
      proceedContinuation.finish()
      try await group.waitForAll()
    }
    let reopened = try SQLiteStore(path: path)
    defer { reopened.close() }
    #expect(try await reopened.contentStatistics() == ContentStatistics(extents: 0, pendingExtents: 0, chunks: 0, chunkBytes: 0))
    #expect(try await reopened.blobProperties(container: "data", name: "a") == nil)
  }

  @Test func md5MatchesRFC1321() {
    let vectors: [(String, String)] = [
      ("", "d41d8cd98f00b204e9800998ecf8427e"),
      ("a", "0cc175b9c0f1b6a831c399e269772661"),
      ("abc", "900150983cd24fb0d6963f7d28e17f72"),
      ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
      ("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"),
      ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f"),
      (String(repeating: "1234567890", count: 8), "57edf4a22be3c955ac49da2e2107b67a"),
    ]
    for (input, expected) in vectors {
      var whole = MD5()
      whole.update(Array(input.utf8))
      #expect(hex(whole.finalize()) == expected, "MD5(\"\(input)\")")
      // Fed byte by byte, the digest is the same.
      var pieces = MD5()
      for byte in input.utf8 { pieces.update([byte]) }
      #expect(hex(pieces.finalize()) == expected, "MD5(\"\(input)\") in pieces")
    }
  }

  private func hex(_ bytes: [UInt8]) -> String {
    bytes.map { String(format: "%02x", $0) }.joined()
  }
}

/// Yields `before`, then announces on `reached` and waits for `proceed` to end before failing.
private struct GatedPieces: AsyncSequence, Sendable {
  typealias Element = [UInt8]
  typealias Failure = any Error
  struct Stopped: Error {}
  var before: [[UInt8]]
  var reached: AsyncStream<Void>.Continuation
  var proceed: AsyncStream<Void>

  struct AsyncIterator: AsyncIteratorProtocol {
    var rest: ArraySlice<[UInt8]>
    var reached: AsyncStream<Void>.Continuation
    var proceed: AsyncStream<Void>
    mutating func next() async throws -> [UInt8]? {
      if let piece = rest.popFirst() { return piece }
      reached.yield()
      for await _ in proceed {}
      // More content after the "crash": the store is closed, so storing it fails.
      return Array(repeating: 8, count: 10)
    }
  }

  func makeAsyncIterator() -> AsyncIterator { AsyncIterator(rest: before[...], reached: reached, proceed: proceed) }
}
