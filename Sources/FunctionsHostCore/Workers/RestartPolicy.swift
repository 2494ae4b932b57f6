/// When a slot restarts its worker: a pure value over ``Backoff``.
///
/// A worker that became ready and served a while is not crash-looping: it is replaced at once (after the
/// initial delay). Only workers that die before or right after becoming ready back off exponentially.
package struct RestartPolicy: Sendable, Hashable {
  /// The delays.
  package var backoff: Backoff
  /// A worker that ran this long after becoming ready resets the failure count.
  package var healthyRun: Duration
  /// Failures in a row so far.
  package private(set) var consecutiveFailures = 0

  /// A policy with no failures yet.
  package init(backoff: Backoff, healthyRun: Duration) {
    self.backoff = backoff
    self.healthyRun = healthyRun
  }

  /// Records an ended worker and returns the delay before the next start.
  package mutating func delay(becameReady: Bool, ran: Duration, random: Double = Double.random(in: -1...1)) -> Duration {
    if becameReady && ran > healthyRun { consecutiveFailures = 0 }
    consecutiveFailures += 1
    return backoff.delay(attempt: consecutiveFailures, random: random)
  }
}
