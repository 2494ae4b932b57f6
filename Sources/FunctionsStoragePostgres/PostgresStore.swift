internal import Foundation
public import FunctionsStorage
public import Logging
internal import PostgresNIO
internal import Synchronization

/// The shared implementation of ``FunctionsStore``: queues, blobs, blob-trigger receipts, timer
/// schedule status and leases in one PostgreSQL database, so that several hosts can share them.
///
/// The semantics are those of ``SQLiteStore`` (the same shared test suite runs against both):
/// - a message is received by one caller at a time (`FOR UPDATE SKIP LOCKED`), with a lease that
///   expires, so a host that dies loses nothing;
/// - blob content is stored in `bytea` chunks of ``Configuration/chunkSize``, streamed in and out,
///   and swapped in by one final transaction;
/// - a blob-trigger receipt and its message are written in one transaction (one winner across hosts);
/// - every change that ``changes()`` reports is also sent with `pg_notify` on the channel
///   ``notificationChannel`` in the same transaction, and every store LISTENs on it, so a message
///   put through any host wakes the listeners of every host.
///
/// The store needs its ``run()`` method running (it owns the connection pool, applies the schema
/// migrations under an advisory lock and listens for other hosts' changes); calls made before it
/// has started wait for it. Either run it in a task group or a `ServiceGroup`, or use the scoped
/// ``withPostgresStore(url:configuration:logger:_:)``:
///
/// ```swift
/// try await withPostgresStore(url: "postgres://functions@db.internal:5432/functions", logger: logger) { store in
///   _ = try await store.createQueue("orders", metadata: [:])
///   _ = try await store.putMessage(queue: "orders", body: Array("hi".utf8))
/// }
/// ```
public final class PostgresStore: FunctionsStore, Sendable {
  /// The LISTEN/NOTIFY channel on which stores announce their changes to each other.
  public static let notificationChannel = "functions_host_changes"

  /// Where the store connects (without the password).
  public let url: PostgresURL
  /// The configuration the store was created with.
  public let configuration: Configuration

  let logger: Logger
  let client: PostgresClient
  let connectionConfiguration: PostgresConnection.Configuration
  let broadcaster: ChangeBroadcaster
  let gate = ReadyGate()
  /// Identifies this instance's notifications, so that its own changes are not reported twice.
  let origin = UUID().uuidString.lowercased()
  /// When expired messages were last purged (microseconds); purges run at most once a second.
  let lastPurge = Mutex<Int64>(0)
  let started = Mutex(false)

  /// Creates a store for the database at `url` (`postgres://user[:password]@host[:port]/database`,
  /// optionally `?sslmode=disable|prefer|require|verify-full`). Nothing connects until ``run()``.
  ///
  /// - Throws: ``PostgresStoreError`` naming what is wrong with the URL.
  public convenience init(url: String, configuration: Configuration = .defaults, logger: Logger) throws {
    try self.init(url: PostgresURL(url), configuration: configuration, logger: logger)
  }

  /// Creates a store for the database at an already parsed `url`. Nothing connects until ``run()``.
  public init(url: PostgresURL, configuration: Configuration = .defaults, logger: Logger) throws {
    self.url = url
    self.configuration = configuration
    self.logger = logger
    self.broadcaster = ChangeBroadcaster(bufferSize: configuration.changeBufferSize)
    let tls: PostgresConnection.Configuration.TLS
    do {
      switch Self.clientTLS(url.tls) {
      case .disable: tls = .disable
      case .prefer(let settings): tls = .prefer(try NIOSSLContext(configuration: settings))
      case .require(let settings): tls = .require(try NIOSSLContext(configuration: settings))
      }
    } catch {
      throw PostgresStoreError("cannot set up TLS for \(url): \(error)")
    }
    var connection = PostgresConnection.Configuration(
      host: url.host, port: url.port, username: url.user, password: url.password, database: url.database, tls: tls)
    connection.options.connectTimeout = TimeAmount.nanoseconds(
      Int64(configuration.connectTimeout.components.seconds) * 1_000_000_000
        + configuration.connectTimeout.components.attoseconds / 1_000_000_000)
    self.connectionConfiguration = connection
    var pool = PostgresClient.Configuration(
      host: url.host, port: url.port, username: url.user, password: url.password, database: url.database,
      tls: Self.clientTLS(url.tls).forClient)
    pool.options.maximumConnections = max(1, configuration.maximumConnections)
    pool.options.connectTimeout = configuration.connectTimeout
    // The pool reports every failed connection attempt at info level, several a second while the
    // database is down; this store reports the outage itself (the LISTEN connection's retries).
    var poolLogger = logger
    poolLogger.logLevel = max(logger.logLevel, .warning)
    self.client = PostgresClient(configuration: pool, backgroundLogger: poolLogger)
  }

  deinit {
    broadcaster.close()
  }

  /// Changes made through this store, and (through LISTEN/NOTIFY) through every other store on the
  /// same database, from now on. Each call is a new subscription that finishes when ``run()`` ends.
  public func changes() -> AsyncStream<StoreChange> {
    broadcaster.subscribe()
  }

  // MARK: Database access

  /// Runs one statement (autocommit) and returns its rows, wrapping errors as ``StorageError``.
  func rows(_ what: @autoclosure () -> String, _ query: PostgresQuery) async throws -> [PostgresRow] {
    do {
      try await gate.wait()
      return try await client.query(query, logger: logger).collect()
    } catch {
      throw Self.wrap(error, what())
    }
  }

  /// Runs `body` in a transaction (READ COMMITTED), wrapping errors as ``StorageError``.
  func transaction<T: Sendable>(
    _ what: @autoclosure () -> String, _ body: (PostgresConnection) async throws -> T
  ) async throws -> T {
    do {
      try await gate.wait()
      return try await client.withTransaction(logger: logger) { connection in try await body(connection) }
    } catch {
      throw Self.wrap(error, what())
    }
  }

  /// Runs `body` on one pooled connection (no transaction: for reads of several statements).
  func connection<T: Sendable>(
    _ what: @autoclosure () -> String, _ body: (PostgresConnection) async throws -> T
  ) async throws -> T {
    do {
      try await gate.wait()
      return try await client.withConnection { connection in try await body(connection) }
    } catch {
      throw Self.wrap(error, what())
    }
  }

  /// The current time, in stored microseconds.
  func nowMicros() -> Int64 {
    Micros.of(configuration.now())
  }

  /// The payload announcing `change` to the other stores (this store's origin first).
  func payload(_ change: StoreChange) -> String {
    switch change {
    case .messageAdded(let queue): return "\(origin)\tm\t\(queue)"
    case .blobWritten(let container, let name): return "\(origin)\tb\t\(container)\t\(name)"
    case .documentWritten(let name): return "\(origin)\td\t\(name)"
    }
  }

  private static func clientTLS(_ mode: PostgresURL.TLSMode) -> TLSChoice {
    switch mode {
    case .disable:
      return .disable
    case .prefer:
      var settings = TLSConfiguration.makeClientConfiguration()
      settings.certificateVerification = .none
      return .prefer(settings)
    case .require:
      var settings = TLSConfiguration.makeClientConfiguration()
      settings.certificateVerification = .none
      return .require(settings)
    case .verifyFull:
      return .require(.makeClientConfiguration())
    }
  }
}

/// The TLS settings of a URL's `sslmode`, for the pool and for single connections.
enum TLSChoice {
  case disable
  case prefer(TLSConfiguration)
  case require(TLSConfiguration)

  var forClient: PostgresClient.Configuration.TLS {
    switch self {
    case .disable: return .disable
    case .prefer(let settings): return .prefer(settings)
    case .require(let settings): return .require(settings)
    }
  }
}

extension PostgresConnection {
  /// Runs one statement inside the caller's transaction and returns its rows.
  func rows(_ query: PostgresQuery, logger: Logger) async throws -> [PostgresRow] {
    try await self.query(query, logger: logger).collect()
  }
}
