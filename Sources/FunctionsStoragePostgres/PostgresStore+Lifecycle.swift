internal import Foundation
public import Logging
internal import PostgresNIO
internal import Synchronization
public import ServiceLifecycle
internal import FunctionsStorage

extension PostgresStore: Service {
  /// Runs the store until the task is cancelled or the service group shuts down gracefully:
  /// connects once to check the URL and credentials, applies the schema migrations under
  /// `pg_advisory_lock` (hosts starting at once take turns), deletes orphaned upload content, then
  /// runs the connection pool and the LISTEN connection that feeds ``changes()`` with other hosts'
  /// changes. Store calls made before the start completes wait for it; calls made after ``run()``
  /// ended fail.
  ///
  /// A lost LISTEN connection is re-opened with a growing delay (1 s doubling up to
  /// ``Configuration/maximumListenRetryDelay``); listeners fall back to their polling meanwhile.
  ///
  /// ```swift
  /// let store = try PostgresStore(url: "postgres://functions@db:5432/functions", logger: logger)
  /// try await withThrowingTaskGroup(of: Void.self) { group in
  ///   group.addTask { try await store.run() }
  ///   try await store.waitUntilStarted()
  ///   // … use the store …
  ///   group.cancelAll()
  /// }
  /// ```
  ///
  /// - Throws: ``PostgresStoreError`` when the server cannot be reached, refuses the login or the
  ///   migration fails (the message names the host, port and database and quotes the server).
  public func run() async throws {
    let first = started.withLock { started in
      defer { started = true }
      return !started
    }
    guard first else { throw PostgresStoreError("PostgresStore.run() was called twice for \(url)") }
    defer {
      gate.fail(StorageError(code: .internalError, message: "the PostgreSQL store for \(url) is closed"))
      broadcaster.close()
    }
    try await withThrowingTaskGroup(of: Void.self) { group in
      group.addTask { await self.client.run() }
      do {
        try await prepare()
      } catch {
        gate.fail(error)
        group.cancelAll()
        throw error
      }
      try await cancelWhenGracefulShutdown {
        try await self.listen { self.gate.open() }
      }
      group.cancelAll()
    }
  }

  /// Waits until ``run()`` has connected and migrated the schema; throws what made it fail.
  public func waitUntilStarted() async throws {
    try await gate.wait()
  }

  // MARK: Start

  /// Connects once (clear errors), migrates under the advisory lock and deletes orphaned content.
  private func prepare() async throws {
    let connection: PostgresConnection
    do {
      connection = try await PostgresConnection.connect(
        configuration: connectionConfiguration, id: 0, logger: logger)
    } catch {
      throw PostgresStoreError(
        "cannot connect to PostgreSQL at \(url.host):\(url.port), database '\(url.database)' as user "
          + "'\(url.user)': \(Self.describe(error))")
    }
    do {
      try await Self.migrate(connection, logger: logger)
      let age = Micros.of(configuration.orphanedContentAge)
      try await connection.query(
        "DELETE FROM extent WHERE pending AND touched_at < now() - make_interval(secs => \(Double(age) / 1e6))",
        logger: logger)
    } catch {
      try? await connection.close()
      throw PostgresStoreError(
        "cannot prepare the schema in database '\(url.database)' at \(url.host):\(url.port): "
          + "\(error is PostgresStoreError ? "\(error)" : Self.describe(error))")
    }
    try? await connection.close()
  }

  // MARK: LISTEN

  /// Listens on ``notificationChannel`` until cancelled, re-connecting after failures; calls
  /// `onListening` once the first LISTEN is in place.
  private func listen(onListening: @Sendable () -> Void) async throws {
    var delay: Duration = .seconds(1)
    var announced = false
    while !Task.isCancelled {
      do {
        let connection = try await PostgresConnection.connect(
          configuration: connectionConfiguration, id: 1, logger: logger)
        do {
          try await connection.listen(on: Self.notificationChannel) { notifications in
            if !announced {
              announced = true
              onListening()
            }
            delay = .seconds(1)
            for try await notification in notifications {
              deliver(notification.payload)
            }
          }
        } catch {
          try? await connection.close()
          throw error
        }
        try? await connection.close()
      } catch is CancellationError {
        return
      } catch {
        if Task.isCancelled { return }
        logger.warning(
          "the LISTEN connection to \(url.host):\(url.port)/\(url.database) failed; retrying in \(delay)",
          metadata: ["error": "\(Self.describe(error))"])
      }
      if !announced {
        // The start-up connection worked, so this is transient; open the gate anyway so the store
        // serves calls (listeners poll) while LISTEN is retried.
        announced = true
        onListening()
      }
      if Task.isCancelled { return }
      // A real interval: the reconnect back-off (1 s doubling to maximumListenRetryDelay); no event says
      // when the server is back, and the stores keep serving calls meanwhile.
      try? await configuration.clock.sleep(for: delay)
      delay = min(delay * 2, configuration.maximumListenRetryDelay)
    }
  }

  /// Feeds another store's notification to this store's subscribers (our own are already delivered).
  private func deliver(_ payload: String) {
    let fields = payload.split(separator: "\t", maxSplits: 3, omittingEmptySubsequences: false)
    guard fields.count >= 3, fields[0] != origin else { return }
    switch fields[1] {
    case "m":
      broadcaster.yield(.messageAdded(queue: String(fields[2])))
    case "b" where fields.count == 4:
      broadcaster.yield(.blobWritten(container: String(fields[2]), name: String(fields[3])))
    case "d":
      broadcaster.yield(.documentWritten(name: String(fields[2])))
    default:
      logger.debug("ignoring an unknown change notification", metadata: ["payload": "\(payload)"])
    }
  }
}

/// Runs `body` with a started ``PostgresStore`` for `url`, and stops the store when `body` returns
/// or throws. The store's ``PostgresStore/run()`` runs in a child task meanwhile.
///
/// ```swift
/// let depth = try await withPostgresStore(url: "postgres://functions@db:5432/functions", logger: logger) { store in
///   try await store.queueInfo("orders")?.approximateMessageCount
/// }
/// ```
///
/// - Throws: ``PostgresStoreError`` when the URL is malformed or the store cannot start; otherwise
///   what `body` throws.
@discardableResult
public func withPostgresStore<Value: Sendable>(
  url: String, configuration: PostgresStore.Configuration = .defaults, logger: Logger,
  _ body: (PostgresStore) async throws -> Value
) async throws -> Value {
  let store = try PostgresStore(url: url, configuration: configuration, logger: logger)
  return try await withThrowingTaskGroup(of: Void.self) { group in
    group.addTask { try await store.run() }
    do {
      try await store.waitUntilStarted()
    } catch {
      // run() fails with the same error; report it (it names host, port and database).
      group.cancelAll()
      while let _ = try? await group.next() {}
      throw error
    }
    let result: Value
    do {
      result = try await body(store)
    } catch {
      group.cancelAll()
      while let _ = try? await group.next() {}
      throw error
    }
    group.cancelAll()
    while let _ = try? await group.next() {}
    return result
  }
}
