public import FunctionsHostCore
internal import Hummingbird
internal import HummingbirdCore
public import Logging
internal import NIOCore
public import ServiceLifecycle

/// The HTTP front door: serves the app's HTTP-triggered functions like the Azure Functions
/// host does, forwarding each request to a dispatcher as an invocation.
///
/// It is a `Service`: `run()` serves until graceful shutdown. Routes are
/// `/<routePrefix>/<route>` built from the functions' `httpTrigger` bindings; the route table
/// is rebuilt whenever `dispatcher.functions()` returns a different function set (see
/// ``reloadRoutes()``). The host's own endpoints live under `/admin` (`/admin/host/ping`,
/// `/admin/host/status`, `/admin/functions`). It never reads the environment or the command line.
///
/// - **Keys**: with ``FunctionKeys``, functions with `authLevel` `function` need a function,
///   host or master key and `admin` ones the master key (`x-functions-key` header or `code`
///   query parameter), else `401`; the `/admin` endpoints except ping need the master key.
///   Without keys every function is anonymous, as in `func start`.
/// - **CORS**: with ``Configuration/cors`` the front door answers preflights itself and adds
///   the CORS headers (see ``CORSPolicy``).
/// - **Duplicate routes** are refused (`500 routeConflict`), never served by one of the
///   functions; ``routeProblems(in:routePrefix:)`` reports them for a start-up check.
///
/// ```swift
/// let frontDoor = HTTPFrontDoor(
///   dispatcher: host,
///   configuration: .defaults { $0.port = 0 },
///   logger: Logger(label: "http"),
///   keys: try FunctionKeysFile(path: secrets).load(),
///   statusProvider: { HostStatus(workers: host.workers()) })
/// let group = ServiceGroup(
///   services: [host, frontDoor], gracefulShutdownSignals: [.sigterm], logger: logger)
/// // elsewhere, e.g. a readiness probe:
/// let address = try await frontDoor.listeningAddress   // http://127.0.0.1:54321
/// ```
public struct HTTPFrontDoor: Service, CustomStringConvertible {
  /// The configuration the front door was created with.
  public let configuration: Configuration

  private let dispatcher: any InvocationDispatching
  private let logger: Logger
  private let routes: RouteTableCache
  private let address: ListeningAddressBox
  private let traceContexts: TraceContextGenerator
  private let onServerRunning: (@Sendable (ListeningAddress) async -> Void)?
  let keys: KeyChecker
  private let statusProvider: (@Sendable () -> HostStatus)?
  private let observability: FrontDoorObservability?
  private let bodyBudget: BodyBudget
  private let forwarder: HTTPProxyForwarder

  /// Creates a front door.
  ///
  /// - Parameters:
  ///   - dispatcher: runs the invocations and lists the functions.
  ///   - configuration: where to listen and how to route.
  ///   - logger: used for start-up, route-table problems and every failed invocation; it never
  ///     receives keys (request targets are logged, at trace level only, with `code` redacted).
  ///   - keys: the keys to enforce; `nil` (the default) treats every function as anonymous and
  ///     leaves `/admin` open. Replace them later with ``updateKeys(_:)``.
  ///   - keyStore: where changes made through `/admin/host/keys` and
  ///     `/admin/functions/<name>/keys` are written; without one those endpoints answer 501.
  ///   - statusProvider: what `/admin/host/status` reports, e.g.
  ///     `{ HostStatus(workers: host.workers()) }`; called per status request.
  ///   - observability: metrics, dashboard and run-by-hand endpoints under `/admin`; also counts each
  ///     response by status class.
  ///   - onServerRunning: called once the socket is bound, with the real address.
  public init(
    dispatcher: any InvocationDispatching,
    configuration: Configuration = .defaults,
    logger: Logger = Logger(label: "functions-host.http"),
    keys: FunctionKeys? = nil,
    keyStore: (any FunctionKeysStore)? = nil,
    statusProvider: (@Sendable () -> HostStatus)? = nil,
    observability: FrontDoorObservability? = nil,
    onServerRunning: (@Sendable (ListeningAddress) async -> Void)? = nil
  ) {
    self.dispatcher = dispatcher
    self.configuration = configuration
    self.logger = logger
    self.routes = RouteTableCache(routePrefix: configuration.routePrefix, logger: logger)
    self.address = ListeningAddressBox()
    self.traceContexts = TraceContextGenerator()
    self.onServerRunning = onServerRunning
    self.keys = KeyChecker(keys, store: keyStore, functionKeysRequired: configuration.functionKeysRequired)
    self.statusProvider = statusProvider
    self.observability = observability
    self.bodyBudget = BodyBudget(
      limit: max(configuration.maxBufferedRequestBodyBytes, configuration.maxRequestBodySize))
    self.forwarder = HTTPProxyForwarder()
  }

  /// Serves HTTP until graceful shutdown (or cancellation).
  ///
  /// - Throws: when the address cannot be bound, or the server fails.
  public func run() async throws {
    address.starting()
    defer { address.stopped() }
    try configuration.cors?.validate()
    if let warning = configuration.exposureWarning(keysEnabled: keys.isEnabled) {
      logger.warning("\(warning)")
    }
    do {
      try await makeApplication().run()
    } catch {
      await forwarder.shutdown()
      throw error
    }
    await forwarder.shutdown()
  }

  /// The address the server listens on; waits until it is bound.
  ///
  /// - Throws: ``FunctionsHostError`` (`shuttingDown`) if the server stops (or fails to bind)
  ///   first; `CancellationError` if the waiting task is cancelled.
  public var listeningAddress: ListeningAddress {
    get async throws { try await address.wait() }
  }

  /// Forces the route table to be rebuilt on the next request.
  ///
  /// Rarely needed: the table is rebuilt by itself whenever `dispatcher.functions()` returns a
  /// function set different from the one it was built from.
  public func reloadRoutes() {
    routes.invalidate()
  }

  /// Replaces the enforced keys while serving, e.g. after function keys were added for newly
  /// indexed functions; `nil` turns key checks off.
  public func updateKeys(_ keys: FunctionKeys?) {
    self.keys.update(keys)
  }

  /// Problems with the HTTP routes of `functions`: unparsable templates, routes shadowing
  /// `/admin`, and functions claiming the same route template with overlapping methods.
  ///
  /// Call it at start-up to fail fast or warn (`functions-host start` fails on duplicates); the
  /// front door also logs these (at error level) each time it builds its route table, keeps
  /// serving the other routes, and refuses duplicated ones with `500 routeConflict`.
  public static func routeProblems(
    in functions: [FunctionMetadata],
    routePrefix: String
  ) -> [HTTPRouteProblem] {
    RouteTable(functions: functions, routePrefix: routePrefix).problems
  }

  /// Throws when ``routeProblems(in:routePrefix:)`` finds any problem.
  ///
  /// - Throws: ``FunctionsHostError`` with code `configuration` whose message lists every
  ///   problem, one per line (each naming the functions and the route).
  public static func validateRoutes(
    _ functions: [FunctionMetadata],
    routePrefix: String
  ) throws(FunctionsHostError) {
    let problems = routeProblems(in: functions, routePrefix: routePrefix)
    guard !problems.isEmpty else { return }
    throw FunctionsHostError(
      code: .configuration,
      message: "HTTP route problems:\n" + problems.map { "- \($0.message)" }.joined(separator: "\n")
    )
  }

  /// `HTTPFrontDoor(host:port, prefix)`.
  public var description: String {
    let c = configuration
    return "HTTPFrontDoor(\(c.host):\(c.port), prefix: '\(c.routePrefix)')"
  }

  /// The Hummingbird application behind ``run()``; tests drive it with `HummingbirdTesting`.
  func makeApplication() -> Application<FrontDoorResponder> {
    let logger = self.logger
    let address = self.address
    let onServerRunning = self.onServerRunning
    let configuration = self.configuration
    let idleTimeout = configuration.idleTimeout.map { TimeAmount.nanoseconds(Int64($0 / .nanoseconds(1))) }
    let frontDoorResponder = makeResponder()
    let eventLoopResponder = configuration.eventLoopInvocations ? frontDoorResponder : nil
    return Application(
      responder: frontDoorResponder,
      server: HTTPServerBuilder { responder in
        GuardedHTTP1Channel(
          inner: HTTP1Channel(responder: responder, configuration: .init(idleTimeout: idleTimeout)),
          eventLoopResponder: eventLoopResponder, serverName: configuration.serverName,
          requestHeadTimeout: configuration.requestHeadTimeout,
          minimumBodyRate: configuration.minimumRequestBodyBytesPerSecond.map {
            (bytesPerSecond: $0, grace: configuration.minimumRequestBodyRateGrace)
          })
      },
      configuration: ApplicationConfiguration(
        address: .hostname(configuration.host, port: configuration.port),
        serverName: configuration.serverName,
        availableConnectionsDelegate: MaximumAvailableConnections(max(1, configuration.maxConnections), logger: logger)
      ),
      onServerRunning: { channel in
        let bound = ListeningAddress(
          host: channel.localAddress?.ipAddress ?? configuration.host,
          port: channel.localAddress?.port ?? configuration.port
        )
        logger.info(
          "HTTP front door listening on \(bound.url)",
          metadata: ["http.route_prefix": "\(configuration.routePrefix)"]
        )
        address.listening(at: bound)
        await onServerRunning?(bound)
      },
      logger: logger
    )
  }

  /// The responder (tests call it directly for streamed bodies).
  func makeResponder() -> FrontDoorResponder {
    FrontDoorResponder(
      dispatcher: dispatcher,
      routes: routes,
      configuration: configuration,
      traceContexts: traceContexts,
      defaultAuthority: "\(configuration.host):\(configuration.port)",
      keys: keys,
      cors: configuration.cors.flatMap { $0.allowedOrigins.isEmpty ? nil : CORSRules($0) },
      status: statusProvider,
      bodyBudget: bodyBudget,
      forwarder: forwarder,
      observability: observability
    )
  }
}
