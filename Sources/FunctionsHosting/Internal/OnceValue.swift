internal import Synchronization

/// A value set once and awaited by any number of tasks; setting it again is ignored.
final class OnceValue<Value: Sendable>: Sendable {
  private struct State {
    var result: Result<Value, any Error>? = nil
    var waiters: [CheckedContinuation<Value, any Error>] = []
  }
  private let state = Mutex(State())

  /// The result, if set.
  var result: Result<Value, any Error>? { state.withLock { $0.result } }

  /// Sets the result; returns false when it was already set.
  @discardableResult
  func complete(_ result: Result<Value, any Error>) -> Bool {
    let waiters: [CheckedContinuation<Value, any Error>]? = state.withLock { s in
      guard s.result == nil else { return nil }
      s.result = result
      defer { s.waiters = [] }
      return s.waiters
    }
    guard let waiters else { return false }
    for waiter in waiters { waiter.resume(with: result) }
    return true
  }

  /// Waits for the result (not cancellable: the application completes it when it stops).
  func value() async throws -> Value {
    try await withCheckedThrowingContinuation { (c: CheckedContinuation<Value, any Error>) in
      let done: Result<Value, any Error>? = state.withLock { s in
        if let r = s.result { return r }
        s.waiters.append(c)
        return nil
      }
      if let done { c.resume(with: done) }
    }
  }
}
