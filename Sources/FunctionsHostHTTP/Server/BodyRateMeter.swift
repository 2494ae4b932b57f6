/// Kestrel's `MinRequestBodyDataRate` as a pure value: while the host is waiting for request-body bytes
/// (it asked the socket for more), the client must keep up `bytesPerSecond` after a grace period. Time
/// in which the host is not asking (back-pressure from a slow function) does not count.
struct BodyRateMeter {
  /// What a check found.
  enum Verdict: Equatable {
    /// Keeping up; check again after this long if still waiting.
    case fine(nextCheckIn: Duration)
    /// Not waiting: nothing to check.
    case idle
    /// Too slow: close the connection.
    case tooSlow
  }

  let bytesPerSecond: Int
  let grace: Duration

  private(set) var active = false
  private var received = 0
  private var waited: Duration = .zero
  private var waitingSince: Duration? = nil

  init(bytesPerSecond: Int, grace: Duration) {
    self.bytesPerSecond = max(1, bytesPerSecond)
    self.grace = grace
  }

  /// A request with a body began.
  mutating func bodyStarted() {
    active = true
    received = 0
    waited = .zero
    waitingSince = nil
  }

  /// The request's body ended (or the request had none).
  mutating func bodyEnded() {
    active = false
    waitingSince = nil
  }

  /// Body bytes arrived.
  mutating func received(_ count: Int) { received += count }

  /// The host asked for more bytes at `now`; returns when to check, if the meter is running.
  mutating func readRequested(at now: Duration) -> Duration? {
    guard active else { return nil }
    if waitingSince == nil { waitingSince = now }
    return remaining(at: now)
  }

  /// A read finished at `now` (the bytes are in): the waiting stops.
  mutating func readCompleted(at now: Duration) {
    guard let since = waitingSince else { return }
    waited += now - since
    waitingSince = nil
  }

  /// Whether the client is keeping up at `now`.
  mutating func check(at now: Duration) -> Verdict {
    guard active, waitingSince != nil else { return .idle }
    guard let left = remaining(at: now) else { return .idle }
    return left <= .zero ? .tooSlow : .fine(nextCheckIn: left)
  }

  /// Waiting time left before the bytes received fall below the rate (negative: already below).
  private func remaining(at now: Duration) -> Duration? {
    guard active else { return nil }
    let total = waited + (waitingSince.map { now - $0 } ?? .zero)
    let allowed = grace + .nanoseconds(Int64(received) * 1_000_000_000 / Int64(bytesPerSecond))
    return allowed - total
  }
}
