internal import Synchronization

/// Publishes a server's bound address once it listens, to any number of waiters; waiters fail
/// when the server stops (or fails to bind) first.
final class AddressBox: Sendable {
  private enum State {
    case waiting([UInt64: CheckedContinuation<StorageEndpoints.ListeningAddress, any Error>])
    case listening(StorageEndpoints.ListeningAddress)
    case stopped(StorageEndpointsError)
  }

  private let state = Mutex<(state: State, nextID: UInt64)>((.waiting([:]), 0))

  /// Records the address and wakes every waiter.
  func listening(at address: StorageEndpoints.ListeningAddress) {
    let waiters = state.withLock { s in
      defer { s.state = .listening(address) }
      if case .waiting(let w) = s.state { return Array(w.values) }
      return []
    }
    for waiter in waiters { waiter.resume(returning: address) }
  }

  /// Marks the server as stopped; waiters (and later callers) get `error`.
  func stopped(_ error: StorageEndpointsError) {
    let waiters = state.withLock { s in
      defer { s.state = .stopped(error) }
      if case .waiting(let w) = s.state { return Array(w.values) }
      return []
    }
    for waiter in waiters { waiter.resume(throwing: error) }
  }

  /// Whether the server is listening now.
  var isListening: Bool {
    state.withLock { s in
      if case .listening = s.state { return true }
      return false
    }
  }

  /// Resets to "not yet listening" before a (re)start.
  func starting() {
    state.withLock { s in
      if case .waiting = s.state { return }
      s.state = .waiting([:])
    }
  }

  /// Waits until the server listens.
  func wait() async throws -> StorageEndpoints.ListeningAddress {
    let id = state.withLock { s in
      s.nextID += 1
      return s.nextID
    }
    return try await withTaskCancellationHandler {
      try await withCheckedThrowingContinuation { continuation in
        enum Action {
          case wait
          case resume(StorageEndpoints.ListeningAddress)
          case fail(any Error)
        }
        let action = state.withLock { s -> Action in
          switch s.state {
          case .listening(let address): return .resume(address)
          case .stopped(let error): return .fail(error)
          case .waiting(var waiters):
            if Task.isCancelled { return .fail(CancellationError()) }
            waiters[id] = continuation
            s.state = .waiting(waiters)
            return .wait
          }
        }
        switch action {
        case .wait: break
        case .resume(let address): continuation.resume(returning: address)
        case .fail(let error): continuation.resume(throwing: error)
        }
      }
    } onCancel: {
      let waiter = state.withLock { s -> CheckedContinuation<StorageEndpoints.ListeningAddress, any Error>? in
        guard case .waiting(var waiters) = s.state, let w = waiters.removeValue(forKey: id) else { return nil }
        s.state = .waiting(waiters)
        return w
      }
      waiter?.resume(throwing: CancellationError())
    }
  }
}
