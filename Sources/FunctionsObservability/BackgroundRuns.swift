public import ServiceLifecycle

/// Runs work submitted by requests that answer before it finishes (`POST /admin/functions/<name>`
/// answers 202), as child tasks of its own ``run()``, so nothing outlives the service group.
public final class BackgroundRuns: Service, Sendable {
  private let stream: AsyncStream<@Sendable () async -> Void>
  private let continuation: AsyncStream<@Sendable () async -> Void>.Continuation

  /// Creates the runner; work submitted before ``run()`` waits for it.
  public init() {
    (stream, continuation) = AsyncStream.makeStream()
  }

  /// Queues `work`; returns false when the runner has stopped.
  @discardableResult
  public func submit(_ work: @escaping @Sendable () async -> Void) -> Bool {
    if case .enqueued = continuation.yield(work) { return true }
    return false
  }

  /// Runs the submitted work until graceful shutdown, then lets the started work finish.
  public func run() async {
    await withDiscardingTaskGroup { group in
      await withGracefulShutdownHandler {
        for await work in stream {
          group.addTask { await work() }
        }
      } onGracefulShutdown: { [continuation] in
        continuation.finish()
      }
    }
  }
}
