internal import Synchronization

/// Holds the store's calls until ``PostgresStore/run()`` has connected and migrated the schema;
/// fails them when it could not, or once it has ended.
final class ReadyGate: Sendable {
  private enum State {
    case waiting([CheckedContinuation<Void, any Error>])
    case open
    case failed(any Error)
  }

  private let state = Mutex(State.waiting([]))

  /// Returns at once when open; waits while starting; throws when start failed or the store ended.
  func wait() async throws {
    // Fast path without a continuation.
    let current: Result<Bool, any Error> = state.withLock { state in
      switch state {
      case .open: return .success(true)
      case .failed(let error): return .failure(error)
      case .waiting: return .success(false)
      }
    }
    if try current.get() { return }
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
      let outcome: Result<Void, any Error>? = state.withLock { state in
        switch state {
        case .open: return .success(())
        case .failed(let error): return .failure(error)
        case .waiting(var waiters):
          waiters.append(continuation)
          state = .waiting(waiters)
          return nil
        }
      }
      if let outcome { continuation.resume(with: outcome) }
    }
  }

  /// Lets every waiting and later call through.
  func open() {
    let waiters: [CheckedContinuation<Void, any Error>] = state.withLock { state in
      guard case .waiting(let waiters) = state else { return [] }
      state = .open
      return waiters
    }
    for waiter in waiters { waiter.resume() }
  }

  /// Fails every waiting and later call with `error` (the first failure stays: a failed start is
  /// reported as such, not as the close that follows it).
  func fail(_ error: any Error) {
    let waiters: [CheckedContinuation<Void, any Error>] = state.withLock { state in
      switch state {
      case .failed:
        return []
      case .open:
        state = .failed(error)
        return []
      case .waiting(let waiters):
        state = .failed(error)
        return waiters
      }
    }
    for waiter in waiters { waiter.resume(throwing: error) }
  }
}
