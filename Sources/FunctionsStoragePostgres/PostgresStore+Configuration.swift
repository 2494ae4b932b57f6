public import Foundation

extension PostgresStore {
  /// How a ``PostgresStore`` stores blob content, tells time and uses its connections.
  ///
  /// ```swift
  /// let store = try PostgresStore(
  ///   url: "postgres://host@db.internal:5432/functions",
  ///   configuration: .defaults { $0.maximumConnections = 20 },
  ///   logger: logger
  /// )
  /// ```
  public struct Configuration: Sendable {
    /// The size of one stored piece of blob content (one `bytea` row), in bytes (default 1 MiB).
    /// Blob content is written and read one chunk per database round trip, so this bounds the memory
    /// one upload or download uses. Changing it between starts is fine: stored chunks keep their offsets.
    public var chunkSize: Int = 1 << 20
    /// The clock for visibility, expiry, leases and timestamps (default: the system clock). It is
    /// passed to every statement as a parameter (the database's `now()` is not used for these), so
    /// hosts sharing one database should keep their clocks in sync (NTP), as for any lease.
    public var now: @Sendable () -> Date = { Date() }
    /// The most connections the store's pool opens (default 10). The LISTEN connection and the
    /// start-up connection come on top.
    public var maximumConnections: Int = 10
    /// How long connecting may take before the attempt fails (default 10 s).
    public var connectTimeout: Duration = .seconds(10)
    /// How many changes a slow ``PostgresStore/changes()`` subscriber may fall behind before the
    /// oldest are dropped (default 1024).
    public var changeBufferSize: Int = 1024
    /// Pending blob content (an upload that never finished because its host died) untouched for
    /// this long is deleted when a store starts (default 1 hour). Uploads in progress on other hosts
    /// touch their content with every chunk, so they are never mistaken for orphans unless a single
    /// chunk takes longer than this.
    public var orphanedContentAge: Duration = .seconds(3600)
    /// The longest wait between two attempts to re-open the LISTEN connection after it was lost
    /// (default 30 s; the wait starts at 1 s and doubles).
    public var maximumListenRetryDelay: Duration = .seconds(30)
    /// The clock the LISTEN reconnect back-off waits on (tests may drive their own).
    public var clock: any Clock<Duration> = ContinuousClock()

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
