import Foundation
import Logging
import Synchronization

/// Collects log records in memory (and echoes them to stderr when FUNCTIONS_HOST_TEST_VERBOSE is set),
/// so tests can wait for a line instead of sleeping.
final class LogCapture: Sendable {
  struct Record: Sendable {
    var level: Logger.Level
    var message: String
    var metadata: [String: String]
  }

  private struct State {
    var records: [Record] = []
    var waiters: [(id: Int, predicate: @Sendable (Record) -> Bool, promise: CheckedContinuation<Record?, Never>)] = []
    var nextID = 0
  }
  private let state = Mutex(State())
  private let echo = ProcessInfo.processInfo.environment["FUNCTIONS_HOST_TEST_VERBOSE"] != nil

  var records: [Record] { state.withLock { $0.records } }

  func logger(label: String = "test-host") -> Logger {
    var logger = Logger(label: label) { _ in Handler(capture: self) }
    logger.logLevel = .debug
    return logger
  }

  fileprivate func append(_ record: Record) {
    if echo {
      FileHandle.standardError.write(Data("[\(record.level)] \(record.message) \(record.metadata)\n".utf8))
    }
    let resumed: [CheckedContinuation<Record?, Never>] = state.withLock { s in
      s.records.append(record)
      var fired: [CheckedContinuation<Record?, Never>] = []
      s.waiters.removeAll { waiter in
        if waiter.predicate(record) {
          fired.append(waiter.promise)
          return true
        }
        return false
      }
      return fired
    }
    for c in resumed { c.resume(returning: record) }
  }

  /// Returns the first record (past or future) that matches, or nil after `timeout` (a failure guard).
  func first(timeout: Duration = .seconds(60), where predicate: @escaping @Sendable (Record) -> Bool) async -> Record? {
    let id = state.withLock { s in
      s.nextID += 1
      return s.nextID
    }
    return await withTaskGroup(of: Record?.self) { group in
      group.addTask {
        await withCheckedContinuation { c in
          let found: Record?? = self.state.withLock { s in
            if let r = s.records.first(where: predicate) { return .some(r) }
            s.waiters.append((id, predicate, c))
            return .none
          }
          if let found { c.resume(returning: found) }
        }
      }
      group.addTask {
        try? await Task.sleep(for: timeout)
        let waiter = self.state.withLock { s -> CheckedContinuation<Record?, Never>? in
          guard let i = s.waiters.firstIndex(where: { $0.id == id }) else { return nil }
          return s.waiters.remove(at: i).promise
        }
        waiter?.resume(returning: nil)
        return nil
      }
      let first = await group.next()!
      group.cancelAll()
      // Unblock the other child whichever way it went.
      let waiter = self.state.withLock { s -> CheckedContinuation<Record?, Never>? in
        guard let i = s.waiters.firstIndex(where: { $0.id == id }) else { return nil }
        return s.waiters.remove(at: i).promise
      }
      waiter?.resume(returning: nil)
      return first
    }
  }

  private struct Handler: LogHandler {
    let capture: LogCapture
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .debug
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
      get { metadata[key] }
      set { metadata[key] = newValue }
    }
    func log(event: LogEvent) {
      var all = metadata
      if let m = event.metadata { all.merge(m) { $1 } }
      capture.append(Record(level: event.level, message: "\(event.message)", metadata: all.mapValues { "\($0)" }))
    }
  }
}

extension LogCapture {
  /// Waits until at least `count` records (past or future) match; false after `timeout`.
  func waitFor(count: Int, timeout: Duration = .seconds(60), where predicate: @escaping @Sendable (Record) -> Bool) async -> Bool {
    let seen = Counter()
    let record = await first(timeout: timeout) { record in
      predicate(record) && seen.increment() >= count
    }
    return record != nil
  }
}

/// A thread-safe counter for stateful log predicates.
final class Counter: Sendable {
  private let value = Mutex(0)
  func increment() -> Int { value.withLock { $0 += 1; return $0 } }
}
