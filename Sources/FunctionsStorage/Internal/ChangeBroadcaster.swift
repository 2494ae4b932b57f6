internal import Foundation
internal import Synchronization

/// Fans store changes out to every ``SQLiteStore/changes()`` subscriber; finishes them all on close.
package final class ChangeBroadcaster: Sendable {
  private struct State {
    var subscribers: [UInt64: AsyncStream<StoreChange>.Continuation] = [:]
    var nextID: UInt64 = 0
    var closed = false
  }

  private let state = Mutex(State())
  private let bufferSize: Int

  package init(bufferSize: Int) {
    self.bufferSize = max(1, bufferSize)
  }

  /// A new subscription; already finished when the broadcaster is closed.
  package func subscribe() -> AsyncStream<StoreChange> {
    let (stream, continuation) = AsyncStream.makeStream(
      of: StoreChange.self, bufferingPolicy: .bufferingNewest(bufferSize))
    let id: UInt64? = state.withLock { state in
      guard !state.closed else { return nil }
      let id = state.nextID
      state.nextID += 1
      state.subscribers[id] = continuation
      return id
    }
    guard let id else {
      continuation.finish()
      return stream
    }
    continuation.onTermination = { [weak self] _ in
      _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
    }
    return stream
  }

  /// Sends `changes` to every subscriber.
  package func yield(_ changes: [StoreChange]) {
    guard !changes.isEmpty else { return }
    let subscribers = state.withLock { Array($0.subscribers.values) }
    for subscriber in subscribers {
      for change in changes { subscriber.yield(change) }
    }
  }

  /// Sends one change to every subscriber.
  package func yield(_ change: StoreChange) {
    yield([change])
  }

  /// Finishes every subscription; later subscriptions finish at once.
  package func close() {
    let subscribers = state.withLock { state in
      state.closed = true
      defer { state.subscribers = [:] }
      return Array(state.subscribers.values)
    }
    for subscriber in subscribers { subscriber.finish() }
  }
}
