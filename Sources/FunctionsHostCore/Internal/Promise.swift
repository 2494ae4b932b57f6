internal import Synchronization

/// A value that is set once and awaited by any number of tasks; setting it again is ignored.
///
/// Each waiter's cancellation affects only that waiter: it throws `CancellationError` to the cancelled
/// task and leaves the promise (and every other waiter) untouched.
package final class Promise<Value: Sendable>: Sendable {
  private enum State {
    case waiting(next: UInt64, waiters: [UInt64: CheckedContinuation<Value, any Error>])
    case done(Result<Value, any Error>)
  }
  private let state = Mutex(State.waiting(next: 0, waiters: [:]))

  package init() {}

  /// Whether the result is set.
  package var isCompleted: Bool {
    state.withLock { if case .done = $0 { return true } else { return false } }
  }

  /// Sets the result and resumes every waiter; returns false when it was already set.
  @discardableResult
  package func complete(_ result: Result<Value, any Error>) -> Bool {
    let waiters: [CheckedContinuation<Value, any Error>]? = state.withLock { s in
      guard case .waiting(_, let waiters) = s else { return nil }
      s = .done(result)
      return Array(waiters.values)
    }
    guard let waiters else { return false }
    for w in waiters { w.resume(with: result) }
    return true
  }

  /// Waits for the result. Cancelling the waiting task throws `CancellationError` to that task only.
  package func value() async throws -> Value {
    let id = Mutex<UInt64?>(nil)
    return try await withTaskCancellationHandler {
      try await withCheckedThrowingContinuation { (c: CheckedContinuation<Value, any Error>) in
        let immediate: Result<Value, any Error>? = state.withLock { s in
          switch s {
          case .done(let r): return r
          case .waiting(let next, var waiters):
            if Task.isCancelled { return .failure(CancellationError()) }
            waiters[next] = c
            s = .waiting(next: next &+ 1, waiters: waiters)
            id.withLock { $0 = next }
            return nil
          }
        }
        if let immediate { c.resume(with: immediate) }
      }
    } onCancel: {
      // Registration and cancellation both take the state lock, so a waiter registered after this
      // handler ran is caught by the `Task.isCancelled` check above.
      let removed: CheckedContinuation<Value, any Error>? = state.withLock { s in
        guard case .waiting(let next, var waiters) = s, let key = id.withLock({ $0 }) else { return nil }
        let w = waiters.removeValue(forKey: key)
        s = .waiting(next: next, waiters: waiters)
        return w
      }
      removed?.resume(throwing: CancellationError())
    }
  }
}

extension Promise where Value == Void {
  /// Waits until the promise is set; never throws unless it was completed with an error or the waiting
  /// task was cancelled.
  package func wait() async throws { try await value() }
}
