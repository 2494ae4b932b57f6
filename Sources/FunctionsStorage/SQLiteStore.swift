internal import Foundation
internal import GRDB
internal import Synchronization

/// The embedded implementation of ``FunctionsStore``: one SQLite database file (GRDB, WAL mode)
/// holding queues, blobs, blob-trigger receipts, timer schedule status and leases.
///
/// Every call returns after its transaction committed. The database runs in WAL mode with
/// `synchronous = NORMAL`: a committed transaction survives a crash of the process (kill -9), which
/// is what the host promises; it may be lost on a power failure or kernel crash before the next
/// checkpoint, which is the usual trade-off for an embedded store (and SQLite's own recommendation
/// for WAL).
///
/// Blob content is stored in chunks of ``Configuration/chunkSize`` bytes, written in small
/// transactions under a not-yet-visible extent and swapped in by one final transaction, so uploads
/// and downloads of any size use bounded memory.
///
/// ```swift
/// let store = try SQLiteStore(path: "/var/lib/host/store.sqlite")
/// defer { store.close() }
/// _ = try await store.createQueue("orders", metadata: [:])
/// _ = try await store.putMessage(queue: "orders", body: Array("hi".utf8), visibilityDelay: .zero, timeToLive: nil)
/// ```
public final class SQLiteStore: FunctionsStore, Sendable {
  /// The database file.
  public let path: String
  /// The configuration the store was opened with.
  public let configuration: Configuration

  let pool: DatabasePool
  let broadcaster: ChangeBroadcaster
  /// When expired messages were last purged (microseconds); purges run at most once a second.
  let lastPurge = Mutex<Int64>(0)

  /// Opens (creating if needed) the store at `path`.
  ///
  /// Missing parent directories are created readable by the owner only (0700) and a new database
  /// file is created 0600. The schema is migrated to the current version, and blob content left
  /// pending by an upload that was interrupted by a crash is deleted.
  public init(path: String, configuration: Configuration = .defaults) throws {
    self.path = path
    self.configuration = configuration
    self.broadcaster = ChangeBroadcaster(bufferSize: configuration.changeBufferSize)
    do {
      try Self.prepareFile(at: path)
    } catch {
      throw StorageError(
        code: .internalError, message: "cannot create the store file at \(path): \(error)", cause: error)
    }
    var grdb = GRDB.Configuration()
    grdb.busyMode = .timeout(Double(Micros.of(configuration.busyTimeout)) / 1_000_000)
    grdb.maximumReaderCount = max(1, configuration.maximumReaderCount)
    grdb.label = "FunctionsStorage.SQLiteStore"
    grdb.prepareDatabase { db in
      try db.execute(sql: "PRAGMA synchronous = NORMAL")
      // Checkpoints (which fsync) every ~32 MB of WAL instead of ~4 MB: many small queue
      // transactions per second stay cheap; the WAL file is cut back to 64 MB at most afterwards.
      try db.execute(sql: "PRAGMA wal_autocheckpoint = 8000")
      try db.execute(sql: "PRAGMA journal_size_limit = 67108864")
    }
    do {
      pool = try DatabasePool(path: path, configuration: grdb)
      try Self.migrator.migrate(pool)
      try pool.write { db in try Self.deletePendingContent(db) }
    } catch {
      throw Self.wrap(error, "cannot open the store at \(path)")
    }
  }

  deinit {
    broadcaster.close()
  }

  /// Finishes every ``changes()`` stream and closes the database. Calls made after closing fail
  /// with ``StorageError/Code/internalError``. Closing twice is harmless.
  public func close() {
    broadcaster.close()
    try? pool.close()
  }

  /// Changes made through this store from now on; each call is a new subscription that finishes
  /// when the store closes.
  public func changes() -> AsyncStream<StoreChange> {
    broadcaster.subscribe()
  }

  // MARK: Database access

  /// Runs `body` in a write transaction; errors other than ``StorageError`` become
  /// ``StorageError/Code/internalError`` (or ``StorageError/Code/serverBusy`` for a lock timeout).
  func write<T: Sendable>(_ what: @autoclosure () -> String, _ body: @Sendable (Database) throws -> T)
    async throws -> T
  {
    do {
      return try await pool.write(body)
    } catch {
      throw Self.wrap(error, what())
    }
  }

  /// Runs `body` in a read transaction (a snapshot), wrapping errors as ``write(_:_:)`` does.
  func read<T: Sendable>(_ what: @autoclosure () -> String, _ body: @Sendable (Database) throws -> T)
    async throws -> T
  {
    do {
      return try await pool.read(body)
    } catch {
      throw Self.wrap(error, what())
    }
  }

  /// The current time, in stored microseconds.
  func nowMicros() -> Int64 {
    Micros.of(configuration.now())
  }

  static func wrap(_ error: any Error, _ what: String) -> any Error {
    switch error {
    case let error as StorageError:
      return error
    case let error as CancellationError:
      return error
    case let error as DatabaseError where error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED:
      return StorageError(code: .serverBusy, message: "\(what): the database is busy (\(error))", cause: error)
    default:
      return StorageError(code: .internalError, message: "\(what): \(error)", cause: error)
    }
  }

  /// Creates the parent directories (0700) and the database file (0600) when missing.
  private static func prepareFile(at path: String) throws {
    let fileManager = FileManager.default
    let url = URL(fileURLWithPath: path)
    var missing: [URL] = []
    var directory = url.deletingLastPathComponent()
    while !fileManager.fileExists(atPath: directory.path), directory.path != "/" {
      missing.append(directory)
      directory = directory.deletingLastPathComponent()
    }
    for directory in missing.reversed() {
      try fileManager.createDirectory(
        at: directory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
      try fileManager.setAttributes([.posixPermissions: 0o700], ofItemAtPath: directory.path)
    }
    if !fileManager.fileExists(atPath: path) {
      guard fileManager.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
        throw CocoaError(.fileWriteUnknown)
      }
      try fileManager.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
    }
  }
}
