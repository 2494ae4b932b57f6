import Foundation
import FunctionsStorage
import Testing

@Suite("Queues (shared store suite)")
struct QueueStoreTests {
  @Test(arguments: StoreFactory.all)
  func createIsIdempotentForSameMetadataAndConflictsOtherwise(_ factory: StoreFactory) async throws {
    try await factory.withStore { store, _ in
      let created = try await store.createQueue("orders", metadata: ["a": "1"])
      #expect(created == .created)
      let again = try await store.createQueue("orders", metadata: ["a": "1"])
      #expect(again == .alreadyExists)
      let error = await expectStorageError(.queueAlreadyExists) {
        try await store.createQueue("orders", metadata: ["a": "2"])
      }
      #expect(error?.message.contains("orders") == true)
      let info = try await store.queueInfo("orders")
      #expect(info?.metadata == ["a": "1"])
    }
  }

  @Test(arguments: StoreFactory.all)
  func infoCountsUnexpiredMessagesVisibleOrNot(_ factory: StoreFactory) async throws {
    try await factory.withStore { store, clock in
      #expect(try await store.queueInfo("missing") == nil)
      _ = try await store.createQueue("work", metadata: [:])
      try await store.put("work", "a")
      try await store.put("work", "b")
      _ = try await store.putMessage(
        queue: "work", body: [1], visibilityDelay: .seconds(60), timeToLive: .seconds(10))
      _ = try await store.receiveOne("work")
      #expect(try await store.queueInfo("work")?.approximateMessageCount == 3)
      clock.advance(by: .seconds(11))
      #expect(try await store.queueInfo("work")?.approximateMessageCount == 2)
    }
  }

  @Test(arguments: StoreFactory.all)
  func deleteRemovesQueueAndMessages(_ factory: StoreFactory) async throws {
    try await factory.withStore { store, _ in
      _ = try await store.createQueue("work", metadata: [:])
      try await store.put("work", "a")
      try await store.deleteQueue("work")
      #expect(try await store.queueInfo("work") == nil)
      await expectStorageError(.queueNotFound) { try await store.deleteQueue("work") }
      _ = try await store.createQueue("work", metadata: [:])
      #expect(try await store.queueInfo("work")?.approximateMessageCount == 0)
      #expect(try await store.peekMessages(queue: "work", count: 32).isEmpty)
    }
  }

  @Test(arguments: StoreFactory.all)
  func metadataIsReplaced(_ factory: StoreFactory) async throws {
    try await factory.withStore { store, _ in
      _ = try await store.createQueue("work", metadata: ["a": "1", "b": "2"])
      try await store.setQueueMetadata("work", metadata: ["c": "3"])
      #expect(try await store.queueInfo("work")?.metadata == ["c": "3"])
      await expectStorageError(.queueNotFound) { try await store.setQueueMetadata("nope", metadata: [:]) }
    }
  }

  @Test(arguments: StoreFactory.all)
  func listPagesByNameWithPrefixAndMarker(_ factory: StoreFactory) async throws {
    try await factory.withStore { store, _ in
      for name in ["beta", "alpha-2", "alpha-1", "alpha-3", "gamma"] {
        _ = try await store.createQueue(name, metadata: ["n": name])
      }
      try await store.put("alpha-2", "x")
      let all = try await store.listQueues(prefix: nil, marker: nil, maxResults: 5000)
      #expect(all.items.map(\.name) == ["alpha-1", "alpha-2", "alpha-3", "beta", "gamma"])
      #expect(all.nextMarker == nil)
      #expect(all.items[1].approximateMessageCount == 1)
      #expect(all.items[1].metadata == ["n": "alpha-2"])

      let first = try await store.listQueues(prefix: "alpha", marker: nil, maxResults: 2)
      #expect(first.items.map(\.name) == ["alpha-1", "alpha-2"])
      #expect(first.nextMarker == "alpha-3")
      let second = try await store.listQueues(prefix: "alpha", marker: first.nextMarker, maxResults: 2)
      #expect(second.items.map(\.name) == ["alpha-3"])
      #expect(second.nextMarker == nil)

      let fromMarker = try await store.listQueues(prefix: nil, marker: "b", maxResults: 1)
      #expect(fromMarker.items.map(\.name) == ["beta"])
      #expect(fromMarker.nextMarker == "gamma")
      #expect(try await store.listQueues(prefix: "zeta", marker: nil, maxResults: 10).items.isEmpty)

      await expectStorageError(.outOfRangeQueryParameterValue) {
        try await store.listQueues(prefix: nil, marker: nil, maxResults: 0)
      }
      await expectStorageError(.outOfRangeQueryParameterValue) {
        try await store.listQueues(prefix: nil, marker: nil, maxResults: 5001)
      }
    }
  }

  @Test(arguments: StoreFactory.all)
  func namesAreValidatedAsAzureDoes(_ factory: StoreFactory) async throws {
    try await factory.withStore { store, _ in
      for bad in ["ab", String(repeating: "a", count: 64), "Upper", "-lead", "trail-", "dou--ble", "under_score", "dot.s"] {
        let error = await expectStorageError(.invalidResourceName) { try await store.createQueue(bad, metadata: [:]) }
        #expect(error?.message.contains(bad) == true)
        await expectStorageError(.invalidResourceName) { try await store.put(bad, "x") }
      }
      for good in ["abc", String(repeating: "a", count: 63), "1st-queue", "a-b-c"] {
        let outcome = try await store.createQueue(good, metadata: [:])
        #expect(outcome == .created)
      }
    }
  }
}
