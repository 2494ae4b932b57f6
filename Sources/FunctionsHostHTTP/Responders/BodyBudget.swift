internal import Synchronization

/// The request-body bytes the front door holds in memory at once, across every connection, bounded
/// (``HTTPFrontDoor/Configuration/maxBufferedRequestBodyBytes``): a body that would go beyond it is refused
/// instead of taking the process's memory with it.
///
/// One atomic compare-and-swap per reservation; nothing for requests without a body.
final class BodyBudget: Sendable {
  /// The most bytes held at once.
  let limit: Int
  private let used = Atomic<Int>(0)

  /// A budget of `limit` bytes.
  init(limit: Int) {
    self.limit = limit
  }

  /// Bytes held now.
  var inUse: Int { used.load(ordering: .relaxed) }

  /// Takes `bytes` from the budget; `false` (and nothing taken) when that would go beyond the limit.
  func reserve(_ bytes: Int) -> Bool {
    guard bytes > 0 else { return true }
    var current = used.load(ordering: .relaxed)
    while true {
      guard bytes <= limit - current else { return false }
      let (exchanged, original) = used.compareExchange(
        expected: current, desired: current + bytes, ordering: .relaxed)
      if exchanged { return true }
      current = original
    }
  }

  /// Gives back bytes taken with ``reserve(_:)``.
  func release(_ bytes: Int) {
    if bytes > 0 { used.subtract(bytes, ordering: .relaxed) }
  }
}
