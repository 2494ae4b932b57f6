public import Foundation

extension SQLiteStore {
  /// How a ``SQLiteStore`` stores blob content, tells time and waits for the database.
  ///
  /// ```swift
  /// let store = try SQLiteStore(
  ///   path: "/var/lib/host/store.sqlite",
  ///   configuration: .defaults { $0.chunkSize = 4 << 20 }
  /// )
  /// ```
  public struct Configuration: Sendable {
    /// The size of one stored piece of blob content, in bytes (default 1 MiB). Blob content is
    /// written and read one chunk per database access, so this bounds the memory one upload or
    /// download uses. Changing it between opens is fine: stored chunks keep their own offsets.
    public var chunkSize: Int = 1 << 20
    /// The clock for visibility, expiry, leases and timestamps (default: the system clock). Tests
    /// inject a controllable clock here so that nothing has to sleep.
    public var now: @Sendable () -> Date = { Date() }
    /// How long a write waits for a database lock held by another connection before the call
    /// fails with ``StorageError/Code/serverBusy`` (default 5 s).
    public var busyTimeout: Duration = .seconds(5)
    /// The most concurrent read connections (default 4).
    public var maximumReaderCount: Int = 4
    /// How many changes a slow ``SQLiteStore/changes()`` subscriber may fall behind before the
    /// oldest are dropped (default 1024).
    public var changeBufferSize: Int = 1024

    /// Creates the default configuration.
    public init() {}

    /// The default configuration.
    public static var defaults: Configuration { Configuration() }

    /// The default configuration, adjusted by `configure`.
    public static func defaults(_ configure: (inout Configuration) -> Void) -> Configuration {
      var configuration = Configuration()
      configure(&configuration)
      return configuration
    }
  }
}
