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
