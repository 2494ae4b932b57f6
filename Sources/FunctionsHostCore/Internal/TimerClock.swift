/// Time for the worker runtime's timers: any `Clock<Duration>` (a test clock in tests), seen as the time
/// elapsed since the clock was wrapped.
package struct TimerClock: Sendable {
  private let elapsed: @Sendable () -> Duration
  private let sleeper: @Sendable (Duration) async throws -> Void

  /// Wraps a clock.
  package init(_ clock: any Clock<Duration>) {
    self = Self.opening(clock)
  }

  private init(elapsed: @escaping @Sendable () -> Duration, sleeper: @escaping @Sendable (Duration) async throws -> Void) {
    self.elapsed = elapsed
    self.sleeper = sleeper
  }

  private static func opening<C: Clock<Duration>>(_ clock: C) -> TimerClock {
    let origin = clock.now
    return TimerClock(elapsed: { origin.duration(to: clock.now) }, sleeper: { try await clock.sleep(for: $0) })
  }

  /// The continuous clock.
  package static var continuous: TimerClock { TimerClock(ContinuousClock()) }

  /// Time since the clock was wrapped.
  package var now: Duration { elapsed() }

  /// Sleeps on the clock; throws `CancellationError` when cancelled.
  package func sleep(for duration: Duration) async throws { try await sleeper(duration) }
}
