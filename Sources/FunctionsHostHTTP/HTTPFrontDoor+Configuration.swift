internal import Foundation
extension HTTPFrontDoor {
  /// How the front door listens and routes.
  ///
  /// ```swift
  /// let configuration = HTTPFrontDoor.Configuration.defaults {
  ///   $0.port = 0               // any free port; read it from `listeningAddress`
  ///   $0.routePrefix = ""       // host.json extensions.http.routePrefix
  /// }
  /// ```
  public struct Configuration: Sendable, Hashable {
    /// The address to bind. Default `127.0.0.1`.
    public var host: String
    /// The TCP port; `0` picks a free one. Default `7071`, as Azure Functions Core Tools' `func start`.
    public var port: Int
    /// The prefix of every function route, without slashes (host.json
    /// `extensions.http.routePrefix`). Default `api`; empty means routes start at `/`.
    public var routePrefix: String
    /// The largest request body accepted, in bytes; larger bodies get 413. Default 100 MiB
    /// (104,857,600 bytes), Azure's limit.
    public var maxRequestBodySize: Int
    /// The value of the `Server` response header; `nil` sends none. Default `nil`.
    public var serverName: String?
    /// Whether error responses include the worker exception's stack trace. Default `false`.
    public var includeExceptionStackTraces: Bool
    /// Host-level CORS; `nil` (the default) or no origins turns it off, and then a function
    /// that lists `options` in its `methods` receives `OPTIONS` requests itself.
    public var cors: CORSPolicy?
    /// How long a connection may sit idle — between requests, or while a client sends its request head
    /// too slowly — before it is closed (Kestrel's keep-alive timeout is 130 s). `nil`: never.
    public var idleTimeout: Duration? = .seconds(120)
    /// How long a request head may take to arrive whole, from its first byte (Kestrel's
    /// `RequestHeadersTimeout`); a client that trickles its head is disconnected. `nil`: no limit.
    /// Default 30 s.
    public var requestHeadTimeout: Duration? = .seconds(30)
    /// The slowest request body accepted, in bytes per second, while the host is reading it (time in
    /// which a slow function holds the body back does not count), after
    /// ``minimumRequestBodyRateGrace``; slower clients are disconnected (Kestrel's `MinRequestBodyDataRate`).
    /// `nil`: no limit. Default 240.
    public var minimumRequestBodyBytesPerSecond: Int? = 240
    /// The grace period of ``minimumRequestBodyBytesPerSecond``. Default 5 s.
    public var minimumRequestBodyRateGrace: Duration = .seconds(5)
    /// The most connections served at once; beyond it the front door stops accepting until one closes, so
    /// that idle clients cannot use up the process's file descriptors. The default is a quarter of the
    /// open-file limit (at most 10,000), which leaves room for workers, the store and the endpoints.
    public var maxConnections: Int = Self.defaultMaxConnections
    /// The most request-body bytes held in memory at once, across all connections; a request whose body
    /// would go beyond it gets `503` (with `Retry-After`) and its connection is closed. Never less than
    /// ``maxRequestBodySize`` in effect, so that one request of the largest size is always served. Default
    /// 256 MiB.
    public var maxBufferedRequestBodyBytes: Int = 268_435_456
    /// Whether functions with `authLevel` `function` or `admin` need a key (when keys are given). `false`
    /// makes every function anonymous while the `/admin` endpoints keep needing the master key
    /// (`functions-host start --no-auth`). Default `true`.
    public var functionKeysRequired: Bool = true
    /// Whether function requests with a buffered body are answered on the event loop (started without a
    /// task, answered from the thread that decodes the worker's answer) when a worker can take them at
    /// once; everything else, and everything when `false`, goes through the async responder. The answers
    /// are the same either way. Default `true`.
    public var eventLoopInvocations: Bool = true

    /// Creates a configuration; every parameter defaults to the value documented on its property.
    public init(
      host: String = "127.0.0.1",
      port: Int = 7071,
      routePrefix: String = "api",
      maxRequestBodySize: Int = 104_857_600,
      serverName: String? = nil,
      includeExceptionStackTraces: Bool = false,
      cors: CORSPolicy? = nil
    ) {
      self.host = host
      self.port = port
      self.routePrefix = routePrefix
      self.maxRequestBodySize = maxRequestBodySize
      self.serverName = serverName
      self.includeExceptionStackTraces = includeExceptionStackTraces
      self.cors = cors
    }

    /// The default configuration.
    public static var defaults: Self { Self() }

    /// Whether ``host`` is a loopback address (`127.x.x.x`, `::1`, `localhost`), reachable from this
    /// machine only.
    public var listensOnLoopbackOnly: Bool {
      let h = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
      return h == "localhost" || h == "::1" || h.hasPrefix("127.")
    }

    /// A warning when functions or the admin endpoints are open to anyone who can reach a non-loopback
    /// address, else `nil`.
    ///
    /// - Parameter keysEnabled: whether the front door has keys (`nil` keys leave `/admin` open too).
    public func exposureWarning(keysEnabled: Bool) -> String? {
      guard !listensOnLoopbackOnly else { return nil }
      if !keysEnabled {
        return "the HTTP front door listens on \(host) without keys: every function and the /admin endpoints "
          + "(function list, host status) can be called by anyone who can reach this address"
      }
      if !functionKeysRequired {
        return "the HTTP front door listens on \(host) with key checks off for functions (--no-auth): every "
          + "function can be called by anyone who can reach this address (/admin still needs the master key)"
      }
      return nil
    }

    /// A quarter of the soft open-file limit, between 64 and 10,000.
    public static var defaultMaxConnections: Int {
      var limit = rlimit()
      guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 256 }
      let soft = limit.rlim_cur > 1_000_000 ? 40_000 : Int(clamping: limit.rlim_cur)
      return min(10_000, max(64, soft / 4))
    }

    /// The default configuration, changed by `configure`.
    public static func defaults(configure: (_ configuration: inout Self) -> Void) -> Self {
      var configuration = Self()
      configure(&configuration)
      return configuration
    }
  }
}
