import Synchronization

/// A clock that moves only when the test says so; sleepers wake when ``advance(by:)`` passes their
/// deadline. Tests wait for a timer to be armed with ``waitForSleeper(until:)`` (an event, not a poll).
final class ManualClock: Clock, Sendable {
  struct Instant: InstantProtocol {
    var offset: Duration
    func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
    func duration(to other: Instant) -> Duration { other.offset - offset }
    static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
  }

  private struct State {
    var now = Instant(offset: .zero)
    var nextID = 0
    var sleepers: [Int: (deadline: Instant, continuation: CheckedContinuation<Void, any Error>)] = [:]
    var watchers: [(matches: @Sendable (Duration) -> Bool, continuation: CheckedContinuation<Void, Never>)] = []
  }
  private let state = Mutex(State())

  var now: Instant { state.withLock { $0.now } }
  var minimumResolution: Duration { .zero }

  func sleep(until deadline: Instant, tolerance: Duration?) async throws {
    let id = Mutex<Int?>(nil)
    try await withTaskCancellationHandler {
      try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
        let (resume, watchers) = state.withLock { s -> (Result<Void, any Error>?, [CheckedContinuation<Void, Never>]) in
          if Task.isCancelled { return (.failure(CancellationError()), []) }
          if deadline <= s.now { return (.success(()), []) }
          let key = s.nextID
          s.nextID += 1
          s.sleepers[key] = (deadline, c)
          id.withLock { $0 = key }
          let woken = s.watchers.filter { $0.matches(deadline.offset) }.map(\.continuation)
          s.watchers.removeAll { $0.matches(deadline.offset) }
          return (nil, woken)
        }
        if let resume { c.resume(with: resume) }
        for w in watchers { w.resume() }
      }
    } onCancel: {
      let sleeper = state.withLock { s in id.withLock { $0 }.flatMap { s.sleepers.removeValue(forKey: $0) } }
      sleeper?.continuation.resume(throwing: CancellationError())
    }
  }

  /// Moves time forward and wakes every sleeper whose deadline passed.
  func advance(by duration: Duration) {
    let due = state.withLock { s in
      s.now = s.now.advanced(by: duration)
      let now = s.now
      let due = s.sleepers.filter { $0.value.deadline <= now }
      for key in due.keys { s.sleepers[key] = nil }
      return due.values.map(\.continuation)
    }
    for c in due { c.resume() }
  }

  /// Returns once someone sleeps until exactly `deadline` (time since the clock's start).
  func waitForSleeper(until deadline: Duration) async {
    await waitForSleeper { $0 == deadline }
  }

  /// Returns once someone sleeps until a deadline (time since the clock's start) that `matches`.
  func waitForSleeper(where matches: @escaping @Sendable (Duration) -> Bool) async {
    await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
      let armed = state.withLock { s in
        if s.sleepers.values.contains(where: { matches($0.deadline.offset) }) { return true }
        s.watchers.append((matches, c))
        return false
      }
      if armed { c.resume() }
    }
  }
}
