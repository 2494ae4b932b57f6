internal import Foundation
internal import Synchronization

/// Tells each subscriber that something changed; a slow subscriber sees one pending change, not a backlog.
final class ChangeBroadcaster: Sendable {
  private let subscribers = Mutex<[UUID: AsyncStream<Void>.Continuation]>([:])
  private let hasSubscribers = Atomic<Bool>(false)

  /// A stream with one element per change (coalesced while the subscriber is busy).
  func subscribe() -> AsyncStream<Void> {
    let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
    let id = UUID()
    continuation.onTermination = { [weak self] _ in
      guard let self else { return }
      subscribers.withLock { s in
        s[id] = nil
        hasSubscribers.store(!s.isEmpty, ordering: .relaxed)
      }
    }
    subscribers.withLock { s in
      s[id] = continuation
      hasSubscribers.store(true, ordering: .relaxed)
    }
    return stream
  }

  /// Something changed: costs one atomic load when nobody listens.
  func publish() {
    guard hasSubscribers.load(ordering: .relaxed) else { return }
    for continuation in subscribers.withLock({ Array($0.values) }) { continuation.yield() }
  }

  /// Ends every subscription.
  func finish() {
    for continuation in subscribers.withLock({ Array($0.values) }) { continuation.finish() }
  }
}
