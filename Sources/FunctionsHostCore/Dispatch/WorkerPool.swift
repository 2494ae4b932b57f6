internal import Synchronization

/// The workers that can take invocations, and the choice among them.
package final class WorkerPool: Sendable {
  /// The outcome of picking a worker for a function.
  package enum Pick {
    case channel(WorkerChannel)
    case loadFailed(String)
    case noneReady
  }

  private struct State {
    var channels: [WorkerChannel] = []
    var waiters: [UInt64: Promise<Void>] = [:]
    var nextWaiter: UInt64 = 0
    var generation: UInt64 = 0
  }
  private let state = Mutex(State())

  package init() {}

  /// All channels that are (or were) ready and not yet removed.
  package var channels: [WorkerChannel] { state.withLock { $0.channels } }

  package func add(_ channel: WorkerChannel) {
    let waiters = state.withLock { s in
      s.channels.append(channel)
      s.generation &+= 1
      defer { s.waiters = [:] }
      return s.waiters
    }
    for (_, w) in waiters { w.complete(.success(())) }
  }

  package func remove(_ channel: WorkerChannel) {
    state.withLock { s in
      s.channels.removeAll { $0 === channel }
      s.generation &+= 1
    }
  }

  /// Least outstanding invocations among ready workers that loaded the function; ties broken at random.
  package func pick(functionID: String) -> Pick {
    let channels = state.withLock { $0.channels }
    var best: WorkerChannel? = nil
    var bestLoad = Int.max
    var ties = 0
    var failure: String? = nil
    for c in channels where c.isReady {
      switch c.loadState(of: functionID) {
      case .loaded:
        let load = c.outstanding
        if load < bestLoad {
          best = c
          bestLoad = load
          ties = 1
        } else if load == bestLoad {
          ties += 1
          if Int.random(in: 0..<ties) == 0 { best = c }
        }
      case .failed(let message): failure = message
      case .loading, .none: continue
      }
    }
    if let best { return .channel(best) }
    if let failure { return .loadFailed(failure) }
    return .noneReady
  }

  /// Waits until a worker is added, or `timeout` passes. Returns false on timeout.
  package func waitForWorker(timeout: Duration) async -> Bool {
    let promise = Promise<Void>()
    let id: UInt64 = state.withLock { s in
      s.nextWaiter &+= 1
      s.waiters[s.nextWaiter] = promise
      return s.nextWaiter
    }
    defer { state.withLock { _ = $0.waiters.removeValue(forKey: id) } }
    do {
      try await withTimeout(timeout, onTimeout: { CancellationError() }) { try await promise.value() }
      return true
    } catch {
      return false
    }
  }
}
