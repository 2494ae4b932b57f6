internal import Foundation
internal import Synchronization

/// The recent invocations (a bounded ring), their log lines, and per-function statistics, for the
/// dashboard. Everything is bounded: old invocations and the logs of unknown invocations are dropped.
final class InvocationJournal: Sendable {
  struct FunctionStats: Sendable {
    var count = 0
    var failures = 0
    var durations = Ring<Double>(capacity: 512)
  }

  private struct State: Sendable {
    var recent: Ring<InvocationRecord>
    var logs: [String: [InvocationRecord.LogLine]] = [:]
    var logOrder: Ring<String>
    var stats: [String: FunctionStats] = [:]
  }

  private let state: Mutex<State>
  private let linesPerInvocation: Int

  init(capacity: Int, linesPerInvocation: Int) {
    state = Mutex(State(recent: Ring(capacity: capacity), logOrder: Ring(capacity: capacity * 4)))
    self.linesPerInvocation = linesPerInvocation
  }

  /// A log line tagged with an invocation id.
  func log(invocationID: String, level: String, message: String) {
    let line = InvocationRecord.LogLine(time: Date().timeIntervalSince1970, level: level, message: message)
    state.withLock { s in
      if s.logs[invocationID] == nil {
        // Bound the map: forget the oldest invocation's lines when the order ring wraps.
        let order = s.logOrder.elements
        if order.count == s.logOrder.capacity, let oldest = order.first { s.logs[oldest] = nil }
        s.logOrder.append(invocationID)
        s.logs[invocationID] = []
      }
      if s.logs[invocationID]!.count < linesPerInvocation { s.logs[invocationID]!.append(line) }
    }
  }

  /// An invocation finished; its log lines move into its record.
  func finished(_ record: InvocationRecord) {
    var record = record
    state.withLock { s in
      if !record.id.isEmpty, let lines = s.logs.removeValue(forKey: record.id) { record.logs = lines + record.logs }
      s.recent.append(record)
      s.stats[record.function, default: FunctionStats()].count += 1
      if record.outcome != .succeeded { s.stats[record.function, default: FunctionStats()].failures += 1 }
      s.stats[record.function, default: FunctionStats()].durations.append(record.durationMs)
    }
  }

  /// The recent invocations (newest first) and the statistics per function.
  func read() -> (recent: [InvocationRecord], stats: [String: FunctionStats]) {
    state.withLock { s in (s.recent.elements.reversed(), s.stats) }
  }
}
