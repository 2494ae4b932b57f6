import Foundation
import FunctionsStorage
import Testing

@Suite("Messages (shared store suite)")
struct MessageStoreTests {
  @Test(arguments: StoreFactory.all)
  func putReturnsTheStoredMessage(_ factory: StoreFactory) async throws {
    try await factory.withStore { store, clock in
      _ = try await store.createQueue("work", metadata: [:])
      let put = try await store.putMessage(
        queue: "work", body: Array("hello".utf8), visibilityDelay: .seconds(5), timeToLive: .seconds(60))
      #expect(put.queue == "work")
      #expect(put.id == put.id.lowercased() && UUID(uuidString: put.id) != nil)
      #expect(put.body == Array("hello".utf8))
      #expect(put.insertionTime == clock.now)
      #expect(put.nextVisibleTime == clock.now.addingTimeInterval(5))
      #expect(put.expirationTime == clock.now.addingTimeInterval(60))
      #expect(put.dequeueCount == 0)
      #expect(put.popReceipt != nil)
      let forever = try await store.put("work", "x")
      #expect(forever.expirationTime == .distantFuture)
      // As Azure's Put Message: the receipt works until the message is received.
      let putReceipt = try #require(forever.popReceipt)
      try await store.deleteMessage(queue: "work", id: forever.id, popReceipt: putReceipt)
      let again = try await store.put("work", "y")
      clock.advance(by: .seconds(6))
      _ = try await store.receiveMessages(queue: "work", count: 32, visibilityTimeout: .seconds(30), owner: nil)
      await expectStorageError(.popReceiptMismatch) {
        try await store.deleteMessage(queue: "work", id: again.id, popReceipt: again.popReceipt!)
      }
    }
  }

  @Test(arguments: StoreFactory.all)
  func putChecksQueueAndSize(_ factory: StoreFactory) async throws {
    try await factory.withStore { store, _ in
      await expectStorageError(.queueNotFound) { try await store.put("missing", "x") }
      _ = try await store.createQueue("work", metadata: [:])
      let limit = [UInt8](repeating: 65, count: 64 * 1024)
      _ = try await store.putMessage(queue: "work", body: limit, visibilityDelay: .zero, timeToLive: nil)
      let error = await expectStorageError(.messageTooLarge) {
        try await store.putMessage(queue: "work", body: limit + [65], visibilityDelay: .zero, timeToLive: nil)
      }
      #expect(error?.code.status == 413)
      let received = try await store.receiveOne("work")
      #expect(received?.body == limit)
    }
  }

  @Test(arguments: StoreFactory.all)
  func receiveIsOldestFirstAndHidesForTheTimeout(_ factory: StoreFactory) async throws {
    try await factory.withStore { store, clock in
      _ = try await store.createQueue("work", metadata: [:])
      for index in 0..<5 { try await store.put("work", "m\(index)") }
      let batch = try await store.receiveMessages(queue: "work", count: 3, visibilityTimeout: .seconds(30), owner: "h1")
      #expect(batch.map { String(decoding: $0.body, as: UTF8.self) } == ["m0", "m1", "m2"])
      #expect(batch.allSatisfy { $0.dequeueCount == 1 && $0.popReceipt != nil })
      #expect(batch.allSatisfy { $0.nextVisibleTime == clock.now.addingTimeInterval(30) })
      #expect(Set(batch.compactMap(\.popReceipt)).count == 3)

      let rest = try await store.receiveMessages(queue: "work", count: 32, visibilityTimeout: .seconds(30), owner: nil)
      #expect(rest.map { String(decoding: $0.body, as: UTF8.self) } == ["m3", "m4"])
      #expect(try await store.receiveMessages(queue: "work", count: 32, visibilityTimeout: .seconds(30), owner: nil).isEmpty)

      clock.advance(by: .seconds(29))
      #expect(try await store.receiveOne("work") == nil)
      clock.advance(by: .seconds(1))
      let again = try await store.receiveMessages(queue: "work", count: 32, visibilityTimeout: .seconds(30), owner: nil)
      #expect(again.count == 5)
      #expect(again.allSatisfy { $0.dequeueCount == 2 })
      #expect(again[0].id == batch[0].id && again[0].popReceipt != batch[0].popReceipt)
    }
  }

  @Test(arguments: StoreFactory.all)
  func visibilityDelayHidesAPutMessage(_ factory: StoreFactory) async throws {
    try await factory.withStore { store, clock in
      _ = try await store.createQueue("work", metadata: [:])
      _ = try await store.putMessage(queue: "work", body: [1], visibilityDelay: .seconds(10), timeToLive: nil)
      #expect(try await store.receiveOne("work") == nil)
      #expect(try await store.peekMessages(queue: "work", count: 1).isEmpty)
      clock.advance(by: .seconds(10))
      #expect(try await store.receiveOne("work")?.body == [1])
    }
  }

  @Test(arguments: StoreFactory.all)
  func receiveAndPeekValidateTheirArguments(_ factory: StoreFactory) async throws {
    try await factory.withStore { store, _ in
      await expectStorageError(.queueNotFound) { try await store.receiveOne("missing") }
      await expectStorageError(.queueNotFound) { try await store.peekMessages(queue: "missing", count: 1) }
      _ = try await store.createQueue("work", metadata: [:])
      for count in [0, 33] {
        await expectStorageError(.outOfRangeQueryParameterValue) {
          try await store.receiveMessages(queue: "work", count: count, visibilityTimeout: .seconds(1), owner: nil)
        }
        await expectStorageError(.outOfRangeQueryParameterValue) {
          try await store.peekMessages(queue: "work", count: count)
        }
      }
    }
  }

  @Test(arguments: StoreFactory.all)
  func peekChangesNothing(_ factory: StoreFactory) async throws {
    try await factory.withStore { store, _ in
      _ = try await store.createQueue("work", metadata: [:])
      try await store.put("work", "a")
      try await store.put("work", "b")
      let peeked = try await store.peekMessages(queue: "work", count: 32)
      #expect(peeked.map(\.body) == [Array("a".utf8), Array("b".utf8)])
      #expect(peeked.allSatisfy { $0.popReceipt == nil && $0.dequeueCount == 0 })
      let received = try await store.receiveOne("work")
      #expect(received?.dequeueCount == 1)
      let afterReceive = try await store.peekMessages(queue: "work", count: 32)
      #expect(afterReceive.map(\.body) == [Array("b".utf8)])
    }
  }

  @Test(arguments: StoreFactory.all)
  func updateMovesVisibilityAndReplacesBodyAndReceipt(_ factory: StoreFactory) async throws {
    try await factory.withStore { store, clock in
      _ = try await store.createQueue("work", metadata: [:])
      try await store.put("work", "old")
      let received = try #require(try await store.receiveOne("work"))
      let update = try await store.updateMessage(
        queue: "work", id: received.id, popReceipt: received.popReceipt!, visibilityTimeout: .seconds(5),
        body: Array("new".utf8))
      #expect(update.popReceipt != received.popReceipt)
      #expect(update.nextVisibleTime == clock.now.addingTimeInterval(5))
      #expect(try await store.receiveOne("work") == nil)
      clock.advance(by: .seconds(5))
      let again = try #require(try await store.receiveOne("work"))
      #expect(again.body == Array("new".utf8))
      #expect(again.dequeueCount == 2)

      // Zero timeout: visible at once, body kept when none is given.
      let zero = try await store.updateMessage(
        queue: "work", id: again.id, popReceipt: again.popReceipt!, visibilityTimeout: .zero, body: nil)
      #expect(zero.nextVisibleTime == clock.now)
      #expect(try await store.peekMessages(queue: "work", count: 1).first?.body == Array("new".utf8))
    }
  }

  @Test(arguments: StoreFactory.all)
  func popReceiptIsCheckedOnUpdateAndDelete(_ factory: StoreFactory) async throws {
    try await factory.withStore { store, clock in
      _ = try await store.createQueue("work", metadata: [:])
      try await store.put("work", "a")
      let first = try #require(try await store.receiveOne("work"))
      clock.advance(by: .seconds(30))
      let second = try #require(try await store.receiveOne("work"))
      #expect(second.id == first.id)

      let stale = await expectStorageError(.popReceiptMismatch) {
        try await store.deleteMessage(queue: "work", id: first.id, popReceipt: first.popReceipt!)
      }
      #expect(stale?.message.contains(first.id) == true)
      #expect(stale?.code.status == 400)
      await expectStorageError(.popReceiptMismatch) {
        try await store.updateMessage(
          queue: "work", id: first.id, popReceipt: first.popReceipt!, visibilityTimeout: .zero, body: nil)
      }
      await expectStorageError(.popReceiptMismatch) {
        try await store.moveToPoison(queue: "work", id: first.id, popReceipt: first.popReceipt!, poisonQueue: "work-poison")
      }
      try await store.deleteMessage(queue: "work", id: second.id, popReceipt: second.popReceipt!)
      #expect(try await store.queueInfo("work")?.approximateMessageCount == 0)

      await expectStorageError(.messageNotFound) {
        try await store.deleteMessage(queue: "work", id: second.id, popReceipt: second.popReceipt!)
      }
      await expectStorageError(.messageNotFound) {
        try await store.updateMessage(
          queue: "work", id: second.id, popReceipt: second.popReceipt!, visibilityTimeout: .zero, body: nil)
      }
      await expectStorageError(.queueNotFound) {
        try await store.deleteMessage(queue: "other", id: second.id, popReceipt: second.popReceipt!)
      }
    }
  }

  @Test(arguments: StoreFactory.all)
  func aMessageIsOnlyFoundInItsOwnQueue(_ factory: StoreFactory) async throws {
    try await factory.withStore { store, _ in
      _ = try await store.createQueue("one", metadata: [:])
      _ = try await store.createQueue("two", metadata: [:])
      try await store.put("one", "a")
      let message = try #require(try await store.receiveOne("one"))
      await expectStorageError(.messageNotFound) {
        try await store.deleteMessage(queue: "two", id: message.id, popReceipt: message.popReceipt!)
      }
      try await store.deleteMessage(queue: "one", id: message.id, popReceipt: message.popReceipt!)
    }
  }

  @Test(arguments: StoreFactory.all)
  func updateChecksBodySize(_ factory: StoreFactory) async throws {
    try await factory.withStore { store, _ in
      _ = try await store.createQueue("work", metadata: [:])
      try await store.put("work", "a")
      let message = try #require(try await store.receiveOne("work"))
      await expectStorageError(.messageTooLarge) {
        try await store.updateMessage(
          queue: "work", id: message.id, popReceipt: message.popReceipt!, visibilityTimeout: .zero,
          body: [UInt8](repeating: 0, count: 64 * 1024 + 1))
      }
    }
  }

  @Test(arguments: StoreFactory.all)
  func expiredMessagesAreInvisibleToEverything(_ factory: StoreFactory) async throws {
    try await factory.withStore { store, clock in
      _ = try await store.createQueue("work", metadata: [:])
      _ = try await store.putMessage(queue: "work", body: [1], visibilityDelay: .zero, timeToLive: .seconds(60))
      try await store.put("work", "keep")
      let received = try #require(
        try await store.receiveMessages(queue: "work", count: 1, visibilityTimeout: .seconds(1), owner: nil).first)
      #expect(received.body == [1])
      clock.advance(by: .seconds(60))
      #expect(try await store.peekMessages(queue: "work", count: 32).map(\.body) == [Array("keep".utf8)])
      #expect(try await store.queueInfo("work")?.approximateMessageCount == 1)
      await expectStorageError(.messageNotFound) {
        try await store.deleteMessage(queue: "work", id: received.id, popReceipt: received.popReceipt!)
      }
      await expectStorageError(.messageNotFound) {
        try await store.updateMessage(
          queue: "work", id: received.id, popReceipt: received.popReceipt!, visibilityTimeout: .zero, body: nil)
      }
      let all = try await store.receiveMessages(queue: "work", count: 32, visibilityTimeout: .seconds(1), owner: nil)
      #expect(all.map(\.body) == [Array("keep".utf8)])
      #expect(try await store.oldestVisibleMessageAge(queue: "work") == nil)
    }
  }

  @Test(arguments: StoreFactory.all)
  func clearDeletesEveryMessage(_ factory: StoreFactory) async throws {
    try await factory.withStore { store, _ in
      await expectStorageError(.queueNotFound) { try await store.clearMessages(queue: "work") }
      _ = try await store.createQueue("work", metadata: [:])
      _ = try await store.createQueue("other", metadata: [:])
      for _ in 0..<3 { try await store.put("work", "x") }
      try await store.put("other", "y")
      _ = try await store.receiveOne("work")
      try await store.clearMessages(queue: "work")
      #expect(try await store.queueInfo("work")?.approximateMessageCount == 0)
      #expect(try await store.queueInfo("other")?.approximateMessageCount == 1)
    }
  }

  @Test(arguments: StoreFactory.all)
  func moveToPoisonCopiesTheBodyAndDeletesTheOriginal(_ factory: StoreFactory) async throws {
    try await factory.withStore { store, clock in
      _ = try await store.createQueue("work", metadata: [:])
      try await store.put("work", "bad")
      let received = try #require(try await store.receiveOne("work"))
      let copy = try await store.moveToPoison(
        queue: "work", id: received.id, popReceipt: received.popReceipt!, poisonQueue: "work-poison")
      #expect(copy.id != received.id)
      #expect(copy.queue == "work-poison")
      #expect(copy.body == Array("bad".utf8))
      #expect(copy.dequeueCount == 0)
      #expect(copy.insertionTime == clock.now)
      #expect(try await store.queueInfo("work")?.approximateMessageCount == 0)
      #expect(try await store.queueInfo("work-poison")?.approximateMessageCount == 1)
      let poisoned = try #require(try await store.receiveOne("work-poison"))
      #expect(poisoned.id == copy.id && poisoned.body == Array("bad".utf8) && poisoned.dequeueCount == 1)

      // Into an existing poison queue, and the original is gone.
      try await store.put("work", "bad2")
      let second = try #require(try await store.receiveOne("work"))
      _ = try await store.moveToPoison(
        queue: "work", id: second.id, popReceipt: second.popReceipt!, poisonQueue: "work-poison")
      await expectStorageError(.messageNotFound) {
        try await store.deleteMessage(queue: "work", id: second.id, popReceipt: second.popReceipt!)
      }
      await expectStorageError(.invalidResourceName) {
        try await store.moveToPoison(queue: "work", id: second.id, popReceipt: second.popReceipt!, poisonQueue: "Bad!")
      }
    }
  }

  @Test(arguments: StoreFactory.all)
  func releaseLeasesReturnsTheOwnersInvisibleMessages(_ factory: StoreFactory) async throws {
    try await factory.withStore { store, clock in
      _ = try await store.createQueue("one", metadata: [:])
      _ = try await store.createQueue("two", metadata: [:])
      for _ in 0..<3 { try await store.put("one", "x") }
      try await store.put("two", "y")
      try await store.put("two", "z")
      _ = try await store.receiveMessages(queue: "one", count: 2, visibilityTimeout: .seconds(600), owner: "dead-host")
      _ = try await store.receiveMessages(queue: "two", count: 1, visibilityTimeout: .seconds(600), owner: "dead-host")
      _ = try await store.receiveMessages(queue: "two", count: 1, visibilityTimeout: .seconds(600), owner: "live-host")
      _ = try await store.receiveMessages(queue: "one", count: 1, visibilityTimeout: .seconds(600), owner: nil)

      #expect(try await store.releaseLeases(owner: "dead-host") == 3)
      #expect(try await store.peekMessages(queue: "one", count: 32).count == 2)
      #expect(try await store.peekMessages(queue: "two", count: 32).count == 1)
      #expect(try await store.releaseLeases(owner: "dead-host") == 0)

      // A lease that already ran out is not counted; a re-received message has a new owner.
      _ = try await store.receiveMessages(queue: "one", count: 2, visibilityTimeout: .seconds(10), owner: "dead-host")
      clock.advance(by: .seconds(10))
      #expect(try await store.releaseLeases(owner: "dead-host") == 0)
      _ = try await store.receiveMessages(queue: "one", count: 1, visibilityTimeout: .seconds(10), owner: "live-host")
      #expect(try await store.releaseLeases(owner: "live-host") == 2)
    }
  }

  @Test(arguments: StoreFactory.all)
  func oldestVisibleMessageAge(_ factory: StoreFactory) async throws {
    try await factory.withStore { store, clock in
      _ = try await store.createQueue("work", metadata: [:])
      #expect(try await store.oldestVisibleMessageAge(queue: "work") == nil)
      try await store.put("work", "first")
      clock.advance(by: .seconds(5))
      try await store.put("work", "second")
      clock.advance(by: .seconds(2))
      #expect(try await store.oldestVisibleMessageAge(queue: "work") == .seconds(7))
      _ = try await store.receiveOne("work")
      #expect(try await store.oldestVisibleMessageAge(queue: "work") == .seconds(2))
    }
  }

  @Test(arguments: StoreFactory.all)
  func concurrentReceiversNeverShareAMessage(_ factory: StoreFactory) async throws {
    try await factory.withStore { store, _ in
      _ = try await store.createQueue("work", metadata: [:])
      for index in 0..<200 { try await store.put("work", "\(index)") }
      let ids = try await withThrowingTaskGroup(of: [String].self) { group in
        for worker in 0..<8 {
          group.addTask {
            var mine: [String] = []
            while let message = try await store.receiveOne("work", owner: "w\(worker)") {
              mine.append(message.id)
              try await store.deleteMessage(queue: "work", id: message.id, popReceipt: message.popReceipt!)
            }
            return mine
          }
        }
        return try await group.reduce(into: []) { $0 += $1 }
      }
      #expect(ids.count == 200)
      #expect(Set(ids).count == 200)
    }
  }
}
