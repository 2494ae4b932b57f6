import Foundation
import FunctionsStorage
import Logging
import Testing

@testable import FunctionsTriggers

/// The queue listener against the real embedded store, with a handler in place of a worker: no processes.
@Suite("Queue listener")
struct QueueListenerTests {
  struct Harness {
    let store: SQLiteStore
    let directory: URL
    let handled = EventLog<String>()

    init() throws {
      directory = FileManager.default.temporaryDirectory.appendingPathComponent("ql-\(UUID().uuidString)")
      store = try SQLiteStore(path: directory.appendingPathComponent("store.sqlite").path)
    }

    func listener(
      queue: String = "orders", encoding: QueueListenerOptions.MessageEncoding = .none, maxDequeueCount: Int = 5,
      handler: @escaping QueueListener.Handler
    ) -> QueueListener {
      var options = QueueListenerOptions(processorCount: 1)
      options.messageEncoding = encoding
      options.maxDequeueCount = maxDequeueCount
      // Far longer than any test: a message found quickly was found through a wake-up, not a poll.
      options.maxPollingInterval = .seconds(120)
      return QueueListener(
        queue: queue, label: "test", options: options, store: store, owner: "host-a", clock: ContinuousClock(),
        logger: Logger(label: "test"), handler: handler)
    }

    /// Runs `listener` while `body` runs, then stops it gracefully.
    func running(_ listener: QueueListener, _ body: () async throws -> Void) async rethrows {
      let stop = StopSignal()
      try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { await listener.run(stop: stop) }
        defer { stop.raise() }
        try await body()
      }
    }

    func cleanUp() {
      store.close()
      try? FileManager.default.removeItem(at: directory)
    }
  }

  @Test func messagesPutWhileIdleAreHandledAndDeleted() async throws {
    let h = try Harness()
    defer { h.cleanUp() }
    _ = try await h.store.createQueue("orders", metadata: [:])
    let listener = h.listener { message, body in
      h.handled.record(String(decoding: body, as: UTF8.self))
      return true
    }
    try await h.running(listener) {
      for i in 0..<3 {
        _ = try await h.store.putMessage(
          queue: "orders", body: Array("m\(i)".utf8), visibilityDelay: .zero, timeToLive: nil)
      }
      #expect(await h.handled.wait { $0.count == 3 })
    }
    #expect(Set(h.handled.events) == ["m0", "m1", "m2"])
    #expect(try await h.store.queueInfo("orders")?.approximateMessageCount == 0)
  }

  @Test func base64BodiesAreDecodedAndBadOnesPoisonedAtOnce() async throws {
    let h = try Harness()
    defer { h.cleanUp() }
    _ = try await h.store.createQueue("orders", metadata: [:])
    let listener = h.listener(encoding: .base64) { _, body in
      h.handled.record(String(decoding: body, as: UTF8.self))
      return true
    }
    let changes = h.store.changes()
    try await h.running(listener) {
      _ = try await h.store.putMessage(
        queue: "orders", body: Array("not base64!".utf8), visibilityDelay: .zero, timeToLive: nil)
      _ = try await h.store.putMessage(
        queue: "orders", body: Array("aGVsbG8=".utf8), visibilityDelay: .zero, timeToLive: nil)
      #expect(await h.handled.wait { $0.count == 1 })
      for await change in changes {
        if case .messageAdded("orders-poison") = change { break }
      }
    }
    #expect(h.handled.events == ["hello"])
    let poisoned = try await h.store.peekMessages(queue: "orders-poison", count: 32)
    #expect(poisoned.map { String(decoding: $0.body, as: UTF8.self) } == ["not base64!"])
  }

  @Test func aFailingMessageIsRetriedThenPoisoned() async throws {
    let h = try Harness()
    defer { h.cleanUp() }
    _ = try await h.store.createQueue("orders", metadata: [:])
    let listener = h.listener(maxDequeueCount: 3) { message, _ in
      h.handled.record("attempt \(message.dequeueCount)")
      return false
    }
    let changes = h.store.changes()
    try await h.running(listener) {
      _ = try await h.store.putMessage(queue: "orders", body: Array("x".utf8), visibilityDelay: .zero, timeToLive: nil)
      #expect(await h.handled.wait { $0.count == 3 })
      // The poison move follows the third failure: wait for the poison queue's change event.
      for await change in changes {
        if case .messageAdded("orders-poison") = change { break }
      }
    }
    #expect(h.handled.events == ["attempt 1", "attempt 2", "attempt 3"])
    #expect(try await h.store.peekMessages(queue: "orders-poison", count: 32).count == 1)
    #expect(try await h.store.queueInfo("orders")?.approximateMessageCount == 0)
  }

  @Test func aGracefulStopLetsTheMessageInFlightFinish() async throws {
    let h = try Harness()
    defer { h.cleanUp() }
    _ = try await h.store.createQueue("orders", metadata: [:])
    let gate = EventLog<Int>()
    let listener = h.listener { _, _ in
      h.handled.record("started")
      _ = await gate.wait { !$0.isEmpty }
      h.handled.record("finished")
      return true
    }
    let stop = StopSignal()
    await withTaskGroup(of: Void.self) { group in
      group.addTask { await listener.run(stop: stop) }
      _ = try? await h.store.putMessage(queue: "orders", body: Array("x".utf8), visibilityDelay: .zero, timeToLive: nil)
      #expect(await h.handled.wait { $0.contains("started") })
      stop.raise()
      gate.record(1)
    }
    #expect(h.handled.events == ["started", "finished"])
    #expect(try await h.store.queueInfo("orders")?.approximateMessageCount == 0)
  }
}
