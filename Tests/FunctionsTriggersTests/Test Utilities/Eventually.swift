import Foundation
import Synchronization

/// Events a test waits for, with an upper bound so that a missing event fails the test instead of
/// hanging it (the bound is generous: it only decides pass/fail when something is wrong).
final class EventLog<Event: Sendable>: Sendable {
  private struct State {
    var events: [Event] = []
    var waiters: [(predicate: @Sendable ([Event]) -> Bool, continuation: CheckedContinuation<Bool, Never>)] = []
  }
  private let state = Mutex(State())

  func record(_ event: Event) {
    let ready = state.withLock { s -> [CheckedContinuation<Bool, Never>] in
      s.events.append(event)
      var ready: [CheckedContinuation<Bool, Never>] = []
      s.waiters.removeAll { waiter in
        if waiter.predicate(s.events) {
          ready.append(waiter.continuation)
          return true
        }
        return false
      }
      return ready
    }
    for c in ready { c.resume(returning: true) }
  }

  var events: [Event] { state.withLock { $0.events } }

  /// Waits until `predicate` holds for the events so far; `false` if it did not within `limit`.
  func wait(
    upTo limit: Duration = .seconds(20), until predicate: @escaping @Sendable ([Event]) -> Bool
  ) async -> Bool {
    await withTaskGroup(of: Bool.self) { group in
      group.addTask {
        await withCheckedContinuation { (c: CheckedContinuation<Bool, Never>) in
          let now = self.state.withLock { s -> Bool in
            if predicate(s.events) { return true }
            s.waiters.append((predicate, c))
            return false
          }
          if now { c.resume(returning: true) }
        }
      }
      group.addTask {
        try? await Task.sleep(for: limit)
        return false
      }
      let first = await group.next() ?? false
      if !first { self.failWaiters() }
      group.cancelAll()
      return first
    }
  }

  private func failWaiters() {
    let waiters = state.withLock { s in
      defer { s.waiters = [] }
      return s.waiters
    }
    for w in waiters { w.continuation.resume(returning: false) }
  }
}
