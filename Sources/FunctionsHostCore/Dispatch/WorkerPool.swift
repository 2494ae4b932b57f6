internal import DequeModule
package import NIOCore
internal import Synchronization

/// The workers that can take invocations, and the choice among them.
///
/// A worker is eligible for a function only once its FunctionLoadResponse for that function succeeded.
/// Among eligible workers, ``HostJSON/DispatchOptions/Strategy/leastOutstanding`` picks the one with the
/// fewest invocations in flight (ties broken at random); ``HostJSON/DispatchOptions/Strategy/roundRobin``
/// takes turns. With a per-worker limit, callers queue (bounded) for a free slot.
package final class WorkerPool: Sendable {
  /// The outcome of picking a worker for a function.
  package enum Pick {
    case channel(WorkerChannel)
    case loadFailed(String)
    case noneReady
    case allBusy
  }

  private struct State {
    var channels: [WorkerChannel] = []
    var waiters: [UInt64: Promise<Void>] = [:]
    var nextWaiter: UInt64 = 0
    var capacityWaiters: Deque<Promise<Void>> = []
  }
  private let state = Mutex(State())
  private let roundRobin = Atomic<Int>(0)
  private let queued = Atomic<Int>(0)
  private let proxyAdvertised = Atomic<Bool>(false)
  private let options: HostJSON.DispatchOptions

  package init(options: HostJSON.DispatchOptions = .init()) {
    self.options = options
  }

  /// All channels that are ready (or draining) and not yet removed.
  package var channels: [WorkerChannel] { state.withLock { $0.channels } }

  package func add(_ channel: WorkerChannel) {
    if channel.httpProxy != nil { proxyAdvertised.store(true, ordering: .relaxed) }
    let (waiters, capacity) = state.withLock { s in
      s.channels.append(channel)
      defer {
        s.waiters = [:]
        s.capacityWaiters = []
      }
      return (s.waiters, s.capacityWaiters)
    }
    for (_, w) in waiters { w.complete(.success(())) }
    for w in capacity { w.complete(.success(())) }
  }

  /// The HTTP proxy target of the workers (a pool runs one kind of worker), or `nil` when none
  /// advertised one. One atomic load when none did (the usual case).
  package func httpProxy() -> HTTPProxyTarget? {
    guard proxyAdvertised.load(ordering: .relaxed) else { return nil }
    return state.withLock { s in s.channels.lazy.compactMap(\.httpProxy).first }
  }

  package func remove(_ channel: WorkerChannel) {
    state.withLock { s in s.channels.removeAll { $0 === channel } }
  }

  /// Chooses a worker for the function (see the type's documentation and ``choose(_:strategy:limit:turn:random:)``).
  package func pick(functionID: String, preferring loop: (any EventLoop)? = nil) -> Pick {
    let channels = state.withLock { $0.channels }
    let candidates = channels.map {
      Candidate(
        isReady: $0.isReady, loadState: $0.loadState(of: functionID), outstanding: $0.outstanding,
        isLocal: loop.map($0.streams(on:)) ?? false)
    }
    let turn = options.strategy == .roundRobin ? roundRobin.wrappingAdd(1, ordering: .relaxed).oldValue : 0
    switch Self.choose(candidates, strategy: options.strategy, limit: options.maxConcurrentPerWorker, turn: turn) {
    case .worker(let index): return .channel(channels[index])
    case .loadFailed(let message): return .loadFailed(message)
    case .noneReady: return .noneReady
    case .allBusy: return .allBusy
    }
  }

  /// Called after an invocation finished: wakes one caller waiting for a free worker.
  package func invocationFinished() {
    guard queued.load(ordering: .relaxed) > 0 else { return }
    let waiter = state.withLock { $0.capacityWaiters.popFirst() }
    waiter?.complete(.success(()))
  }

  /// Waits (bounded queue) until a worker may have a free slot; false when the queue is full or on timeout.
  package func waitForCapacity(timeout: Duration) async -> Bool {
    guard queued.wrappingAdd(1, ordering: .relaxed).oldValue < options.maxQueued else {
      queued.subtract(1, ordering: .relaxed)
      return false
    }
    defer { queued.subtract(1, ordering: .relaxed) }
    let promise = Promise<Void>()
    state.withLock { $0.capacityWaiters.append(promise) }
    defer { state.withLock { s in s.capacityWaiters.removeAll { $0 === promise } } }
    do {
      try await withTimeout(timeout, onTimeout: { CancellationError() }) { try await promise.value() }
      return true
    } catch {
      return false
    }
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
