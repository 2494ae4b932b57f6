extension StorageEndpoints {
  /// Where the endpoints listen and which account they serve.
  ///
  /// ```swift
  /// let configuration = StorageEndpoints.Configuration.defaults {
  ///   $0.blobPort = 0     // any free port; read it from `blobAddress`
  ///   $0.queuePort = 0
  /// }
  /// ```
  public struct Configuration: Sendable, Hashable {
    /// The address to bind. Default `127.0.0.1`.
    public var host: String
    /// The Blob service's TCP port; `0` picks a free one. Default `10000`, as Azurite.
    public var blobPort: Int
    /// The Queue service's TCP port; `0` picks a free one. Default `10001`, as Azurite.
    public var queuePort: Int
    /// The account name, the first path segment of every URL (path-style URLs). Default
    /// ``StorageEndpoints/developmentAccountName`` (`devstoreaccount1`).
    public var accountName: String
    /// The account key, base64, that SharedKey signatures are checked with. Default
    /// ``StorageEndpoints/developmentAccountKey``, the emulator's well-known key.
    public var accountKey: String
    /// The largest request body the Blob service accepts (one Put Blob or Put Block), in bytes;
    /// bodies are streamed to the store, never held whole. Default 5000 MiB, Azure's single-put limit.
    public var maxBlobRequestBodySize: Int64
    /// The largest request body the Queue service accepts, in bytes (messages are at most 64 KiB;
    /// their XML escaping makes the body larger). Default 1 MiB.
    public var maxQueueRequestBodySize: Int
    /// The `Server` response header. Default `functions-host-storage`.
    public var serverName: String
    /// The `x-ms-version` answered when the request carries none. Default `2025-01-05`.
    public var defaultVersion: String

    /// Creates a configuration; every parameter defaults to the value documented on its property.
    public init(
      host: String = "127.0.0.1",
      blobPort: Int = 10000,
      queuePort: Int = 10001,
      accountName: String = StorageEndpoints.developmentAccountName,
      accountKey: String = StorageEndpoints.developmentAccountKey,
      maxBlobRequestBodySize: Int64 = 5000 * 1024 * 1024,
      maxQueueRequestBodySize: Int = 1 << 20,
      serverName: String = "functions-host-storage",
      defaultVersion: String = "2025-01-05"
    ) {
      self.host = host
      self.blobPort = blobPort
      self.queuePort = queuePort
      self.accountName = accountName
      self.accountKey = accountKey
      self.maxBlobRequestBodySize = maxBlobRequestBodySize
      self.maxQueueRequestBodySize = maxQueueRequestBodySize
      self.serverName = serverName
      self.defaultVersion = defaultVersion
    }

    /// The default configuration.
    public static var defaults: Self { Self() }

    /// The default configuration, changed by `configure`.
    public static func defaults(configure: (_ configuration: inout Self) -> Void) -> Self {
      var configuration = Self()
      configure(&configuration)
      return configuration
    }
  }

  /// The storage emulator's well-known account name, `devstoreaccount1`.
  public static let developmentAccountName = "devstoreaccount1"

  /// The storage emulator's well-known account key (public; for local development only).
  public static let developmentAccountKey =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
}
