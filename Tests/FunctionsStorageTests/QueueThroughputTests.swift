import Foundation
import FunctionsStorage
import Testing

@Suite("Queue throughput")
struct QueueThroughputTests {
  /// Receive+delete pairs on one queue, one at a time (the queue trigger's hot path), through a backlog:
  /// each receive takes the oldest and the rest stay. The rate is printed for information only; speed is
  /// measured by `scripts/bench/queue.sh`, never asserted here (timings move with the machine's load).
  @Test func receiveDeletePairsPerSecond() async throws {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    let store = try SQLiteStore(path: directory.path + "/store.sqlite")
    defer { store.close() }
    _ = try await store.createQueue("hot", metadata: [:])
    // A backlog, so receive has to find the oldest among many.
    for index in 0..<3000 { try await store.put("hot", "message \(index)") }
    let pairs = 2000
    let clock = ContinuousClock()
    let start = clock.now
    for _ in 0..<pairs {
      let message = try #require(
        try await store.receiveMessages(queue: "hot", count: 1, visibilityTimeout: .seconds(30), owner: "host").first)
      try await store.deleteMessage(queue: "hot", id: message.id, popReceipt: message.popReceipt!)
    }
    let elapsed = clock.now - start
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    let rate = Double(pairs) / seconds
    print("SQLiteStore: \(Int(rate)) receive+delete pairs/s (\(pairs) pairs in \(elapsed))")
    #expect(try await store.queueInfo("hot")?.approximateMessageCount == 1000)
  }
}
