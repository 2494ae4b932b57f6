internal import Synchronization

/// A value that is set once and awaited by one task; setting it again is ignored.
package final class Promise<Value: Sendable>: Sendable {
  private enum State {
    case waiting(CheckedContinuation<Value, any Error>?)
    case done(Result<Value, any Error>)
  }
  private let state = Mutex(State.waiting(nil))

  package init() {}

  /// Sets the result; returns false when it was already set.
  @discardableResult
  package func complete(_ result: Result<Value, any Error>) -> Bool {
    let waiter: CheckedContinuation<Value, any Error>?? = state.withLock { s in
      guard case .waiting(let c) = s else { return .none }
      s = .done(result)
      return .some(c)
    }
    switch waiter {
    case .none: return false
    case .some(let c):
      c?.resume(with: result)
      return true
    }
  }

  /// Waits for the result. Cancelling the waiting task completes the promise with `CancellationError`.
  package func value() async throws -> Value {
    try await withTaskCancellationHandler {
      try await withCheckedThrowingContinuation { (c: CheckedContinuation<Value, any Error>) in
        let done: Result<Value, any Error>? = state.withLock { s in
          switch s {
          case .done(let r): return r
          case .waiting:
            s = .waiting(c)
            return nil
          }
        }
        if let done { c.resume(with: done) }
      }
    } onCancel: {
      complete(.failure(CancellationError()))
    }
  }
}
