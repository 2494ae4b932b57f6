/// Runs `operation`, throwing `onTimeout()` if it does not finish within `duration`.
package func withTimeout<T: Sendable>(
  _ duration: Duration, onTimeout: @escaping @Sendable () -> any Error,
  _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
  try await withThrowingTaskGroup(of: T.self) { group in
    group.addTask { try await operation() }
    group.addTask {
      try await Task.sleep(for: duration)
      throw onTimeout()
    }
    defer { group.cancelAll() }
    return try await group.next()!
  }
}
