import Foundation
import FunctionsStorage
import Synchronization
import Testing

/// A clock the tests move by hand, so that visibility, expiry and lease tests never sleep.
final class TestClock: Sendable {
  private let current: Mutex<Date>

  /// Starts at a whole second, so stored times round-trip exactly.
  init(_ start: Date = Date(timeIntervalSince1970: 1_750_000_000)) {
    current = Mutex(start)
  }

  var now: Date { current.withLock { $0 } }

  func advance(by duration: Duration) {
    let (seconds, attoseconds) = duration.components
    current.withLock { $0 += Double(seconds) + Double(attoseconds) / 1e18 }
  }
}

/// A store under test, with the clock it reads and a way to close it.
struct StoreUnderTest: Sendable {
  var store: any FunctionsStore
  var clock: TestClock
  var close: @Sendable () async throws -> Void
  /// For stores that need a running task (``PostgresStore/run()``): runs it until cancelled.
  var run: (@Sendable () async throws -> Void)? = nil
  /// For stores with ``run``: returns once the store serves calls.
  var started: (@Sendable () async throws -> Void)? = nil
}

/// How to make a fresh, empty store of one implementation. Every implementation runs the whole
/// shared suite: add a factory to ``all`` and it does.
struct StoreFactory: Sendable, CustomTestStringConvertible {
  var name: String
  var make: @Sendable (TestClock) async throws -> StoreUnderTest

  var testDescription: String { name }

  /// Every implementation. PostgreSQL is left out, with a message, when it is not installed.
  static let all: [StoreFactory] = [.sqlite] + (PostgresTestCluster.isInstalled ? [.postgres] : [])

  /// ``SQLiteStore`` in a fresh temporary directory, with a small chunk size so that chunking is exercised.
  static let sqlite = StoreFactory(name: "SQLite") { clock in
    let directory = try TemporaryDirectory()
    let store = try SQLiteStore(
      path: directory.path + "/store.sqlite",
      configuration: .defaults {
        $0.chunkSize = 1000
        $0.now = { clock.now }
      })
    return StoreUnderTest(store: store, clock: clock) {
      store.close()
      directory.remove()
    }
  }

  /// Runs `body` with a fresh store and closes it afterwards (running the store meanwhile when it
  /// needs a task).
  func withStore(_ body: (any FunctionsStore, TestClock) async throws -> Void) async throws {
    let clock = TestClock()
    let subject = try await make(clock)
    guard let run = subject.run else {
      do {
        try await body(subject.store, clock)
      } catch {
        try? await subject.close()
        throw error
      }
      try await subject.close()
      return
    }
    try await withThrowingTaskGroup(of: Void.self) { group in
      group.addTask { try await run() }
      do {
        try await subject.started?()
        try await body(subject.store, clock)
      } catch {
        group.cancelAll()
        await group.waitForAllIgnoringErrors()
        try? await subject.close()
        throw error
      }
      group.cancelAll()
      await group.waitForAllIgnoringErrors()
      try await subject.close()
    }
  }
}

extension ThrowingTaskGroup where ChildTaskResult == Void {
  /// Waits for every child, ignoring their errors (they were cancelled).
  mutating func waitForAllIgnoringErrors() async {
    while true {
      do {
        guard try await next() != nil else { return }
      } catch {
        continue
      }
    }
  }
}

/// A unique directory under the system's temporary directory.
struct TemporaryDirectory: Sendable {
  let path: String

  init() throws {
    path = NSTemporaryDirectory() + "functions-storage-tests-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }

  func remove() {
    try? FileManager.default.removeItem(atPath: path)
  }
}
