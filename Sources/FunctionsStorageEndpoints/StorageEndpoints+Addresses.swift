extension StorageEndpoints {
  /// An address a storage server listens on.
  public struct ListeningAddress: Sendable, Hashable, CustomStringConvertible {
    /// The bound IP address, e.g. `127.0.0.1` or `::1`.
    public var host: String
    /// The bound port (the real one when the configured port was `0`).
    public var port: Int

    /// Creates an address.
    public init(host: String, port: Int) {
      self.host = host
      self.port = port
    }

    /// The base URL clients use, e.g. `http://127.0.0.1:10000`: a wildcard bind (`0.0.0.0`,
    /// `::`) is reached through the loopback address; IPv6 hosts are bracketed.
    public var url: String {
      let reachable = host == "0.0.0.0" ? "127.0.0.1" : host == "::" ? "::1" : host
      return reachable.contains(":") ? "http://[\(reachable)]:\(port)" : "http://\(reachable):\(port)"
    }

    /// `host:port`.
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
  }

  /// The Blob service's address; waits until it is bound.
  ///
  /// - Throws: ``StorageEndpointsError`` if the endpoints stop (or fail to bind) first;
  ///   `CancellationError` if the waiting task is cancelled.
  public var blobAddress: ListeningAddress {
    get async throws { try await blobBox.wait() }
  }

  /// The Queue service's address; waits until it is bound.
  ///
  /// - Throws: as ``blobAddress``.
  public var queueAddress: ListeningAddress {
    get async throws { try await queueBox.wait() }
  }

  /// The Blob endpoint URL with the account, e.g. `http://127.0.0.1:10000/devstoreaccount1`.
  public var blobEndpoint: String {
    get async throws { try await blobAddress.url + "/" + configuration.accountName }
  }

  /// The Queue endpoint URL with the account, e.g. `http://127.0.0.1:10001/devstoreaccount1`.
  public var queueEndpoint: String {
    get async throws { try await queueAddress.url + "/" + configuration.accountName }
  }

  /// A full connection string for the Azure SDKs and the az CLI, with the real ports; waits until
  /// both services are bound.
  ///
  /// - Throws: as ``blobAddress``.
  public var connectionString: String {
    get async throws {
      Self.connectionString(
        accountName: configuration.accountName, accountKey: configuration.accountKey,
        blobEndpoint: try await blobEndpoint, queueEndpoint: try await queueEndpoint)
    }
  }

  /// `DefaultEndpointsProtocol=http;AccountName=…;AccountKey=…;BlobEndpoint=…;QueueEndpoint=…;`
  public static func connectionString(
    accountName: String, accountKey: String, blobEndpoint: String, queueEndpoint: String
  ) -> String {
    "DefaultEndpointsProtocol=http;AccountName=\(accountName);AccountKey=\(accountKey);"
      + "BlobEndpoint=\(blobEndpoint);QueueEndpoint=\(queueEndpoint);"
  }
}
