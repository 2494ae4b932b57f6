internal import ArgumentParser
internal import Foundation
internal import FunctionsStorage

/// `functions-host bench-queue-fill`: puts N messages straight into a store (hidden; used by
/// `scripts/bench/queue.sh` to fill a queue faster than any SDK client can).
struct BenchQueueFill: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench-queue-fill", abstract: "Fill a queue of a store for the queue benchmark.", shouldDisplay: false)

  @Option(name: .long, help: "The store file.") var store: String
  @Option(name: .long) var queue: String = "bench-in"
  @Option(name: .long) var count: Int = 10_000
  @Option(name: .long, help: "The message text (stored base64-encoded, as the Functions SDK policy sends it).")
  var body: String = "x"

  func validate() throws {
    guard (1...1_000_000).contains(count) else { throw ValidationError("--count must be 1…1000000") }
  }

  func run() async throws {
    let sqlite = try SQLiteStore(path: store)
    defer { sqlite.close() }
    if try await sqlite.queueInfo(queue) == nil { _ = try await sqlite.createQueue(queue, metadata: [:]) }
    let encoded = Array(Data(body.utf8).base64EncodedString().utf8)
    let started = ContinuousClock.now
    for _ in 0..<count {
      _ = try await sqlite.putMessage(queue: queue, body: encoded, visibilityDelay: .zero, timeToLive: nil)
    }
    let seconds = (ContinuousClock.now - started) / .seconds(1)
    print(#"{"messages": \#(count), "seconds": \#((seconds * 1000).rounded() / 1000)}"#)
  }
}
