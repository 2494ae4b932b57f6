internal import FunctionsHostCore
internal import Synchronization

/// Publishes the bound address once the server listens, to any number of waiters.
final class ListeningAddressBox: Sendable {
  private enum State {
    case waiting([UInt64: CheckedContinuation<HTTPFrontDoor.ListeningAddress, any Error>])
    case listening(HTTPFrontDoor.ListeningAddress)
    case stopped
  }

  private let state = Mutex<(state: State, nextID: UInt64)>((.waiting([:]), 0))

  /// Records the address and wakes every waiter.
  func listening(at address: HTTPFrontDoor.ListeningAddress) {
    let waiters = state.withLock {
      s -> [CheckedContinuation<HTTPFrontDoor.ListeningAddress, any Error>] in
      defer { s.state = .listening(address) }
      if case .waiting(let w) = s.state { return Array(w.values) }
      return []
    }
    for w in waiters { w.resume(returning: address) }
  }

  /// Marks the server as stopped; waiters (and later callers) get an error.
  func stopped() {
    let waiters = state.withLock {
      s -> [CheckedContinuation<HTTPFrontDoor.ListeningAddress, any Error>] in
      defer { s.state = .stopped }
      if case .waiting(let w) = s.state { return Array(w.values) }
      return []
    }
    for w in waiters { w.resume(throwing: ListeningAddressBox.notRunning) }
  }

  /// Resets to "not yet listening" before a (re)start.
  func starting() {
    state.withLock { s in
      if case .waiting = s.state { return }
      s.state = .waiting([:])
    }
  }

  /// Waits until the server listens.
  func wait() async throws -> HTTPFrontDoor.ListeningAddress {
    let id = state.withLock { s in
      s.nextID += 1
      return s.nextID
    }
    return try await withTaskCancellationHandler {
      try await withCheckedThrowingContinuation { continuation in
        enum Action {
          case wait
          case resume(HTTPFrontDoor.ListeningAddress)
          case fail(any Error)
        }
        let action = state.withLock { s -> Action in
          switch s.state {
          case .listening(let address): return .resume(address)
          case .stopped: return .fail(ListeningAddressBox.notRunning)
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
      let waiter = state.withLock {
        s -> CheckedContinuation<HTTPFrontDoor.ListeningAddress, any Error>? in
        guard case .waiting(var waiters) = s.state, let w = waiters.removeValue(forKey: id) else {
          return nil
        }
        s.state = .waiting(waiters)
        return w
      }
      waiter?.resume(throwing: CancellationError())
    }
  }

  private static let notRunning = FunctionsHostError(
    code: .shuttingDown,
    message: "the HTTP front door stopped without listening"
  )
}
