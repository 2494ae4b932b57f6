internal import Synchronization

/// A one-way "stop taking new work" flag that wakes every registered listener when raised.
final class StopSignal: Sendable {
  private struct State {
    var raised = false
    var next = 0
    var wakes: [Int: Wakeup] = [:]
  }
  private let state = Mutex(State())

  /// Whether ``raise()`` was called.
  var isRaised: Bool { state.withLock { $0.raised } }

  /// Raises the flag and wakes every registered listener.
  func raise() {
    let wakes = state.withLock { s in
      s.raised = true
      return Array(s.wakes.values)
    }
    for w in wakes { w.signal() }
  }

  /// Wakes `wake` when the flag is raised; returns a token for ``unregister(_:)``.
  func register(_ wake: Wakeup) -> Int {
    let (id, raised) = state.withLock { s in
      let id = s.next
      s.next += 1
      s.wakes[id] = wake
      return (id, s.raised)
    }
    if raised { wake.signal() }
    return id
  }

  /// Stops waking the listener registered as `id`.
  func unregister(_ id: Int) {
    _ = state.withLock { $0.wakes.removeValue(forKey: id) }
  }
}

extension StopSignal {
  /// Returns once the flag is raised (or the task is cancelled).
  func waitUntilRaised() async {
    let wake = Wakeup()
    let id = register(wake)
    defer { unregister(id) }
    while !isRaised && !Task.isCancelled { await wake.wait() }
  }
}
