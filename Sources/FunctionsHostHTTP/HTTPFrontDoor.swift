public import FunctionsHostCore
internal import Hummingbird
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
/// `/admin/functions`). It never reads the environment or the command line.
///
/// ```swift
/// let frontDoor = HTTPFrontDoor(
///   dispatcher: host,
///   configuration: .defaults { $0.port = 0 },
///   logger: Logger(label: "http"))
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

  /// Creates a front door.
  ///
  /// - Parameters:
  ///   - dispatcher: runs the invocations and lists the functions.
  ///   - configuration: where to listen and how to route.
  ///   - logger: used for start-up, route-table problems and every failed invocation.
  ///   - onServerRunning: called once the socket is bound, with the real address.
  public init(
    dispatcher: any InvocationDispatching,
    configuration: Configuration = .defaults,
    logger: Logger = Logger(label: "functions-host.http"),
    onServerRunning: (@Sendable (ListeningAddress) async -> Void)? = nil
  ) {
    self.dispatcher = dispatcher
    self.configuration = configuration
    self.logger = logger
    self.routes = RouteTableCache(routePrefix: configuration.routePrefix, logger: logger)
    self.address = ListeningAddressBox()
    self.traceContexts = TraceContextGenerator()
    self.onServerRunning = onServerRunning
  }

  /// Serves HTTP until graceful shutdown (or cancellation).
  ///
  /// - Throws: when the address cannot be bound, or the server fails.
  public func run() async throws {
    address.starting()
    defer { address.stopped() }
    try await makeApplication().run()
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

  /// Problems with the HTTP routes of `functions`: unparsable templates, routes shadowing
  /// `/admin`, and functions claiming the same route template with overlapping methods.
  ///
  /// Call it at start-up to fail fast or warn; the front door also logs these (at error level)
  /// each time it builds its route table, and keeps serving the other routes.
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
    return Application(
      responder: makeResponder(),
      configuration: ApplicationConfiguration(
        address: .hostname(configuration.host, port: configuration.port),
        serverName: configuration.serverName
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
      defaultAuthority: "\(configuration.host):\(configuration.port)"
    )
  }
}
