public import FunctionsObservability
internal import Hummingbird
internal import HummingbirdCore
public import Logging
internal import NIOCore
public import ServiceLifecycle

/// A second, small HTTP server that serves only the Prometheus metrics (`GET /metrics`, also
/// `/admin/metrics`), for scrapers kept away from the front door (`functions-host start --metrics-port`).
/// The same key rule as the front door's `/admin`: with keys, the master key (`Authorization: Bearer`,
/// `x-functions-key` or `?code=`).
///
/// ```swift
/// let metrics = MetricsEndpoint(telemetry: telemetry, host: "127.0.0.1", port: 9090, keys: keys, logger: logger)
/// let group = ServiceGroup(services: [host, frontDoor, metrics], logger: logger)
/// ```
public struct MetricsEndpoint: Service {
  private let telemetry: HostTelemetry
  private let host: String
  private let port: Int
  private let keys: KeyChecker
  private let logger: Logger
  private let address = ListeningAddressBox()

  /// Creates the endpoint; nothing listens until ``run()``.
  public init(telemetry: HostTelemetry, host: String, port: Int, keys: FunctionKeys?, logger: Logger) {
    self.telemetry = telemetry
    self.host = host
    self.port = port
    self.keys = KeyChecker(keys)
    self.logger = logger
  }

  /// Creates the endpoint with the same keys as `frontDoor`, including every later change to them
  /// (``HTTPFrontDoor/updateKeys(_:)``, the key management endpoints, keys shared by several hosts).
  public init(telemetry: HostTelemetry, host: String, port: Int, sharingKeysOf frontDoor: HTTPFrontDoor, logger: Logger) {
    self.telemetry = telemetry
    self.host = host
    self.port = port
    self.keys = frontDoor.keys
    self.logger = logger
  }

  /// The address the server listens on; waits until it is bound.
  public var listeningAddress: HTTPFrontDoor.ListeningAddress {
    get async throws { try await address.wait() }
  }

  /// Serves until graceful shutdown.
  public func run() async throws {
    address.starting()
    defer { address.stopped() }
    let (telemetry, keys, address, logger, host, port) = (telemetry, keys, address, logger, host, port)
    let responder = CallbackResponder { (request: Request, _: BasicRequestContext) async throws -> Response in
      let target = request.head.path ?? "/"
      let path = RequestPath.path(of: target)
      guard path == "/metrics" || path == "/admin/metrics" else {
        return FrontDoorError(status: .notFound, code: "routeNotFound", message: "only /metrics is served here")
          .response
      }
      guard keys.allowsAdmin(request.head) else { return FrontDoorError.adminUnauthorized(path: path).response }
      return Response(
        status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
        body: .init(byteBuffer: ByteBuffer(string: await telemetry.prometheusText())))
    }
    let application = Application(
      responder: responder,
      configuration: ApplicationConfiguration(address: .hostname(host, port: port)),
      onServerRunning: { channel in
        let bound = HTTPFrontDoor.ListeningAddress(
          host: channel.localAddress?.ipAddress ?? host, port: channel.localAddress?.port ?? port)
        logger.info("metrics endpoint listening on \(bound.url)/metrics")
        address.listening(at: bound)
      },
      logger: logger)
    try await application.run()
  }
}
