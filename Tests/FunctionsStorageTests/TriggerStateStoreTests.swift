import Foundation
import FunctionsStorage
import Testing

@Suite("Receipts, schedules and leases (shared store suite)")
struct TriggerStateStoreTests {
  private let receipt = BlobReceiptKey(
    functionID: "Host.Functions.resize", container: "images", blobName: "a/b.png", etag: "\"0x8D1\"")

  @Test(arguments: StoreFactory.all)
  func enqueueIfNoReceiptEnqueuesOncePerReceipt(_ factory: StoreFactory) async throws {
    try await factory.withStore { store, _ in
      // The queue is created when missing.
      #expect(try await store.enqueueIfNoReceipt(receipt, queue: "blob-trigger", message: Array("m1".utf8)))
      #expect(try await store.hasReceipt(receipt))
      #expect(try await !store.enqueueIfNoReceipt(receipt, queue: "blob-trigger", message: Array("m2".utf8)))
      #expect(try await store.queueInfo("blob-trigger")?.approximateMessageCount == 1)
      #expect(try await store.receiveOne("blob-trigger")?.body == Array("m1".utf8))

      // Another version (ETag) or another function is another receipt.
      var other = receipt
      other.etag = "\"0x8D2\""
      #expect(try await store.enqueueIfNoReceipt(other, queue: "blob-trigger", message: [2]))
      other = receipt
      other.functionID = "Host.Functions.thumb"
      #expect(try await store.enqueueIfNoReceipt(other, queue: "blob-trigger", message: [3]))

      try await store.deleteReceipt(receipt)
      #expect(try await !store.hasReceipt(receipt))
      #expect(try await store.enqueueIfNoReceipt(receipt, queue: "blob-trigger", message: [4]))
      try await store.deleteReceipt(receipt)
      try await store.deleteReceipt(receipt)  // deleting a missing receipt is fine
    }
  }

  @Test(arguments: StoreFactory.all)
  func enqueueIfNoReceiptIsAtomic(_ factory: StoreFactory) async throws {
    try await factory.withStore { store, _ in
      // A message that cannot be stored leaves no receipt behind.
      await expectStorageError(.messageTooLarge) {
        try await store.enqueueIfNoReceipt(receipt, queue: "blob-trigger", message: [UInt8](repeating: 0, count: 70_000))
      }
      #expect(try await !store.hasReceipt(receipt))
      // Racing enqueuers: exactly one wins.
      let wins = try await withThrowingTaskGroup(of: Bool.self) { group in
        for index in 0..<10 {
          group.addTask { try await store.enqueueIfNoReceipt(receipt, queue: "blob-trigger", message: [UInt8(index)]) }
        }
        return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
      }
      #expect(wins == 1)
      #expect(try await store.queueInfo("blob-trigger")?.approximateMessageCount == 1)
    }
  }

  @Test(arguments: StoreFactory.all)
  func scheduleStatusRoundTrips(_ factory: StoreFactory) async throws {
    try await factory.withStore { store, _ in
      #expect(try await store.scheduleStatus(timer: "Host.Functions.tick") == nil)
      let status = ScheduleStatus(
        last: Date(timeIntervalSince1970: 1_700_000_000), next: Date(timeIntervalSince1970: 1_700_000_300.5),
        lastUpdated: Date(timeIntervalSince1970: 1_700_000_001.25))
      try await store.setScheduleStatus(status, timer: "Host.Functions.tick")
      #expect(try await store.scheduleStatus(timer: "Host.Functions.tick") == status)
      var later = status
      later.last = status.next
      try await store.setScheduleStatus(later, timer: "Host.Functions.tick")
      #expect(try await store.scheduleStatus(timer: "Host.Functions.tick") == later)
      #expect(try await store.scheduleStatus(timer: "Host.Functions.other") == nil)
    }
  }

  @Test(arguments: StoreFactory.all)
  func leasesAreExclusiveRenewableAndTakenOverWhenExpired(_ factory: StoreFactory) async throws {
    try await factory.withStore { store, clock in
      #expect(try await store.acquireLease("timer/tick", owner: "host-a", duration: .seconds(15)))
      #expect(try await !store.acquireLease("timer/tick", owner: "host-b", duration: .seconds(15)))
      clock.advance(by: .seconds(10))
      // Renewal by the owner extends the lease from now.
      #expect(try await store.acquireLease("timer/tick", owner: "host-a", duration: .seconds(15)))
      clock.advance(by: .seconds(10))
      #expect(try await !store.acquireLease("timer/tick", owner: "host-b", duration: .seconds(15)))
      clock.advance(by: .seconds(5))
      // Expired: host-b takes it over.
      #expect(try await store.acquireLease("timer/tick", owner: "host-b", duration: .seconds(15)))
      #expect(try await !store.acquireLease("timer/tick", owner: "host-a", duration: .seconds(15)))
      // Releasing someone else's lease does nothing; releasing one's own frees it.
      try await store.releaseLease("timer/tick", owner: "host-a")
      #expect(try await !store.acquireLease("timer/tick", owner: "host-a", duration: .seconds(15)))
      try await store.releaseLease("timer/tick", owner: "host-b")
      #expect(try await store.acquireLease("timer/tick", owner: "host-a", duration: .seconds(15)))
      // Leases are independent by name.
      #expect(try await store.acquireLease("timer/other", owner: "host-b", duration: .seconds(15)))
    }
  }
}
