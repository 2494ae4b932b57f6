import Foundation
import FunctionsStorage
import Testing

/// Each test ends its expectations with a "sentinel" change caused on purpose, so that a missing or
/// an extra change shows up as the wrong next element instead of a wait.
@Suite("Change notifications (shared store suite)", .timeLimit(.minutes(1)))
struct ChangesStoreTests {
  @Test(arguments: StoreFactory.all)
  func queueWritesAnnounceMessages(_ factory: StoreFactory) async throws {
    try await factory.withStore { store, _ in
      _ = try await store.createQueue("work", metadata: [:])
      _ = try await store.createQueue("sentinel", metadata: [:])
      var changes = store.changes().makeAsyncIterator()

      try await store.put("work", "a")
      #expect(await nextChange(&changes) == .messageAdded(queue: "work"))

      // Receive, delete and a non-zero update announce nothing; a zero update does.
      try await store.put("work", "b")
      #expect(await nextChange(&changes) == .messageAdded(queue: "work"))
      let received = try #require(try await store.receiveOne("work"))
      let update = try await store.updateMessage(
        queue: "work", id: received.id, popReceipt: received.popReceipt!, visibilityTimeout: .seconds(5), body: nil)
      try await store.put("sentinel", "s")
      #expect(await nextChange(&changes) == .messageAdded(queue: "sentinel"))
      _ = try await store.updateMessage(
        queue: "work", id: received.id, popReceipt: update.popReceipt, visibilityTimeout: .zero, body: nil)
      #expect(await nextChange(&changes) == .messageAdded(queue: "work"))

      // Poison moves announce the poison queue.
      let again = try #require(try await store.receiveOne("work"))
      _ = try await store.moveToPoison(
        queue: "work", id: again.id, popReceipt: again.popReceipt!, poisonQueue: "work-poison")
      #expect(await nextChange(&changes) == .messageAdded(queue: "work-poison"))

      // Released leases announce each queue once.
      _ = try await store.receiveMessages(queue: "work", count: 32, visibilityTimeout: .seconds(60), owner: "dead")
      #expect(try await store.releaseLeases(owner: "dead") == 1)
      #expect(await nextChange(&changes) == .messageAdded(queue: "work"))

      // Blob-trigger enqueues announce their queue, only when they enqueue.
      let key = BlobReceiptKey(functionID: "f", container: "c", blobName: "b", etag: "e")
      _ = try await store.enqueueIfNoReceipt(key, queue: "blobs-queue", message: [1])
      #expect(await nextChange(&changes) == .messageAdded(queue: "blobs-queue"))
      _ = try await store.enqueueIfNoReceipt(key, queue: "blobs-queue", message: [1])
      try await store.put("sentinel", "s")
      #expect(await nextChange(&changes) == .messageAdded(queue: "sentinel"))
    }
  }

  @Test(arguments: StoreFactory.all)
  func blobContentWritesAnnounceBlobs(_ factory: StoreFactory) async throws {
    try await factory.withStore { store, _ in
      _ = try await store.createContainer("data", metadata: [:], publicAccess: nil)
      _ = try await store.createQueue("sentinel", metadata: [:])
      var changes = store.changes().makeAsyncIterator()
      try await store.put("data", "a", "x")
      #expect(await nextChange(&changes) == .blobWritten(container: "data", name: "a"))
      // Metadata, headers, blocks and deletes are not content writes.
      _ = try await store.setBlobMetadata(container: "data", name: "a", metadata: ["k": "v"], conditions: .none)
      _ = try await store.setBlobHTTPHeaders(container: "data", name: "a", headers: BlobHTTPHeaders(), conditions: .none)
      try await store.putBlock(container: "data", name: "b", blockID: "QQ==", content: Pieces("y"))
      try await store.deleteBlob(container: "data", name: "a", conditions: .none)
      try await store.put("sentinel", "s")
      #expect(await nextChange(&changes) == .messageAdded(queue: "sentinel"))
      _ = try await store.commitBlockList(
        container: "data", name: "b", blockIDs: ["QQ=="], headers: BlobHTTPHeaders(), metadata: [:], conditions: .none)
      #expect(await nextChange(&changes) == .blobWritten(container: "data", name: "b"))
    }
  }

  @Test(arguments: StoreFactory.all)
  func everySubscriberSeesEveryChange(_ factory: StoreFactory) async throws {
    try await factory.withStore { store, _ in
      _ = try await store.createQueue("work", metadata: [:])
      var first = store.changes().makeAsyncIterator()
      var second = store.changes().makeAsyncIterator()
      try await store.put("work", "a")
      #expect(await nextChange(&first) == .messageAdded(queue: "work"))
      #expect(await nextChange(&second) == .messageAdded(queue: "work"))
    }
  }
}
