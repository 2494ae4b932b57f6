/// Runs `operation`, throwing `onTimeout()` if it does not finish within `duration` on `clock`.
package func withTimeout<T: Sendable>(
  _ duration: Duration, clock: TimerClock = .continuous, onTimeout: @escaping @Sendable () -> any Error,
  _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
  try await withThrowingTaskGroup(of: T.self) { group in
    group.addTask { try await operation() }
    group.addTask {
      try await clock.sleep(for: duration)
      throw onTimeout()
    }
    defer { group.cancelAll() }
    return try await group.next()!
  }
}
