/// The stock queue listener's idle back-off (`RandomizedExponentialBackoffStrategy`): 100 ms after work
/// was found; each empty poll in a row doubles the delay, times a random factor in 0.8…1.2, up to the
/// maximum polling interval. A pure value: the listener asks it for the next delay.
struct PollingBackoff: Sendable, Hashable {
  /// The shortest delay (100 ms).
  var minimum: Duration = .milliseconds(100)
  /// `maxPollingInterval`.
  var maximum: Duration
  /// Empty polls in a row.
  private(set) var failures = 0

  /// A back-off capped at `maximum`.
  init(maximum: Duration) {
    self.maximum = max(maximum, minimum)
  }

  /// Work was found: the next empty poll starts again from the minimum.
  mutating func reset() { failures = 0 }

  /// An empty (or failed) poll: the delay before the next one.
  mutating func next(random: Double = Double.random(in: 0.8...1.2)) -> Duration {
    failures += 1
    let exponent = min(failures - 1, 30)
    let base = minimum * (1 << exponent)
    let delay = base * random
    return min(delay, maximum)
  }
}
