import Logging
import Synchronization

/// A logger at trace level that keeps every record's text (level, message and metadata) in memory, and
/// lets a test wait for a record without polling.
final class RecordingLogger: Sendable {
  private struct Waiter {
    var count: Int
    var predicate: @Sendable (String) -> Bool
    var continuation: CheckedContinuation<Bool, Never>
  }

  private struct State {
    var lines: [String] = []
    var waiters: [Int: Waiter] = [:]
    var nextWaiter = 0
  }

  private let state = Mutex(State())

  /// Every record so far, as `level message key=value …`.
  var records: [String] { state.withLock { $0.lines } }

  /// A logger writing here.
  var logger: Logger {
    var logger = Logger(label: "recording") { _ in Handler(sink: self) }
    logger.logLevel = .trace
    return logger
  }

  /// Waits until `count` records satisfy `predicate` (counting those already recorded). Returns false
  /// only when the waiting task is cancelled first (a test's time limit), so a wait can never hang.
  func waitFor(count: Int = 1, _ predicate: @escaping @Sendable (String) -> Bool) async -> Bool {
    let id = state.withLock { s -> Int in
      defer { s.nextWaiter += 1 }
      return s.nextWaiter
    }
    return await withTaskCancellationHandler {
      await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
        let resume: Bool? = state.withLock { s in
          if s.lines.count(where: predicate) >= count { return true }
          if Task.isCancelled { return false }
          s.waiters[id] = Waiter(count: count, predicate: predicate, continuation: continuation)
          return nil
        }
        if let resume { continuation.resume(returning: resume) }
      }
    } onCancel: {
      state.withLock { $0.waiters.removeValue(forKey: id) }?.continuation.resume(returning: false)
    }
  }

  /// Waits for the first record containing `text`; false when cancelled first.
  func waitFor(containing text: String, count: Int = 1) async -> Bool {
    await waitFor(count: count) { $0.contains(text) }
  }

  fileprivate func append(_ line: String) {
    let ready = state.withLock { s -> [CheckedContinuation<Bool, Never>] in
      s.lines.append(line)
      var ready: [CheckedContinuation<Bool, Never>] = []
      for (id, waiter) in s.waiters where waiter.predicate(line) {
        if s.lines.count(where: waiter.predicate) >= waiter.count {
          ready.append(waiter.continuation)
          s.waiters[id] = nil
        }
      }
      return ready
    }
    for continuation in ready { continuation.resume(returning: true) }
  }

  private struct Handler: LogHandler {
    let sink: RecordingLogger
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
      get { metadata[key] }
      set { metadata[key] = newValue }
    }
    func log(event: LogEvent) {
      var all = metadata
      if let extra = event.metadata { all.merge(extra) { $1 } }
      let pairs = all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
      sink.append("\(event.level) \(event.message) \(pairs.joined(separator: " "))")
    }
  }
}
