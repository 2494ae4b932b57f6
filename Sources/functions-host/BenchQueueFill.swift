internal import ArgumentParser
internal import Foundation
internal import FunctionsStorage
internal import FunctionsStoragePostgres
internal import Logging

/// `functions-host bench-queue-fill`: puts N messages straight into a store (hidden; used by
/// `scripts/bench/queue.sh` to fill a queue faster than any SDK client can).
struct BenchQueueFill: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench-queue-fill", abstract: "Fill a queue of a store for the queue benchmark.", shouldDisplay: false)

  @Option(name: .long, help: "The store: a SQLite file, or a postgres:// URL.") var store: String
  @Option(name: .long, help: "Messages put at once (concurrent puts, for a database server).") var concurrency: Int = 1
  @Option(name: .long) var queue: String = "bench-in"
  @Option(name: .long) var count: Int = 10_000
  @Option(name: .long, help: "The message text (stored base64-encoded, as the Functions SDK policy sends it).")
  var body: String = "x"

  func validate() throws {
    guard (1...1_000_000).contains(count) else { throw ValidationError("--count must be 1…1000000") }
    guard (1...64).contains(concurrency) else { throw ValidationError("--concurrency must be 1…64") }
  }

  func run() async throws {
    if store.hasPrefix("postgres://") || store.hasPrefix("postgresql://") {
      var logger = Logger(label: "bench-queue-fill")
      logger.logLevel = .warning
      try await withPostgresStore(url: store, logger: logger) { try await fill($0) }
    } else {
      let sqlite = try SQLiteStore(path: store)
      defer { sqlite.close() }
      try await fill(sqlite)
    }
  }

  private func fill(_ store: some FunctionsStore) async throws {
    if try await store.queueInfo(queue) == nil { _ = try await store.createQueue(queue, metadata: [:]) }
    let encoded = Array(Data(body.utf8).base64EncodedString().utf8)
    let started = ContinuousClock.now
    let (queue, count, lanes) = (self.queue, self.count, concurrency)
    try await withThrowingTaskGroup(of: Void.self) { group in
      for lane in 0..<lanes {
        group.addTask {
          for _ in stride(from: lane, to: count, by: lanes) {
            _ = try await store.putMessage(queue: queue, body: encoded, visibilityDelay: .zero, timeToLive: nil)
          }
        }
      }
      try await group.waitForAll()
    }
    let seconds = (ContinuousClock.now - started) / .seconds(1)
    print(#"{"messages": \#(count), "seconds": \#((seconds * 1000).rounded() / 1000)}"#)
  }
}
