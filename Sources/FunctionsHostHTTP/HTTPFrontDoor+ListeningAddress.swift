extension HTTPFrontDoor {
  /// The address the front door is listening on.
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

    /// The base URL, e.g. `http://127.0.0.1:7071` (IPv6 hosts in brackets).
    public var url: String {
      host.contains(":") ? "http://[\(host)]:\(port)" : "http://\(host):\(port)"
    }

    /// `host:port`.
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
  }
}
