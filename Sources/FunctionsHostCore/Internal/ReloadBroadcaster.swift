internal import Synchronization

/// Fans "a new app version is serving" out to any number of subscribers.
final class ReloadBroadcaster: Sendable {
  private struct State {
    var next = 0
    var subscribers: [Int: AsyncStream<Void>.Continuation] = [:]
    var finished = false
  }
  private let state = Mutex(State())

  /// A new subscription; it ends when ``finish()`` is called.
  func subscribe() -> AsyncStream<Void> {
    let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
    let finished = state.withLock { s -> Bool in
      if s.finished { return true }
      let id = s.next
      s.next += 1
      s.subscribers[id] = continuation
      continuation.onTermination = { [weak self] _ in
        _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
      }
      return false
    }
    if finished { continuation.finish() }
    return stream
  }

  /// Tells every subscriber.
  func publish() {
    let subscribers = state.withLock { Array($0.subscribers.values) }
    for s in subscribers { s.yield() }
  }

  /// Ends every subscription, now and for later subscribers.
  func finish() {
    let subscribers = state.withLock { s in
      s.finished = true
      defer { s.subscribers = [:] }
      return Array(s.subscribers.values)
    }
    for s in subscribers { s.finish() }
  }
}
