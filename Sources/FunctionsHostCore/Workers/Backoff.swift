internal import Foundation

/// Restart delays: exponential with jitter, capped; pure.
package struct Backoff: Sendable, Hashable {
  /// The first delay.
  package var initial: Duration = .milliseconds(100)
  /// Growth per consecutive failure.
  package var multiplier: Double = 2
  /// The largest delay.
  package var maximum: Duration = .seconds(30)
  /// Jitter as a fraction of the delay (0.2 = ±20 %).
  package var jitter: Double = 0.2

  package init() {}

  /// The delay before restart number `attempt` (1-based) of consecutive failures.
  package func delay(attempt: Int, random: Double = Double.random(in: -1...1)) -> Duration {
    let base = Double(initial.components.seconds) + Double(initial.components.attoseconds) / 1e18
    let cap = Double(maximum.components.seconds) + Double(maximum.components.attoseconds) / 1e18
    let exponent = Double(max(0, attempt - 1))
    let raw = min(cap, base * pow(multiplier, min(exponent, 64)))
    let jittered = max(0, raw * (1 + jitter * random))
    return .microseconds(Int64(min(cap, jittered) * 1e6))
  }
}

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
