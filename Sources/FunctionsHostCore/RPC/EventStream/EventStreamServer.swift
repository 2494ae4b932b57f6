internal import Foundation
package import Logging
package import NIOCore
internal import NIOHTTP2
internal import NIOPosix
internal import Synchronization

/// Serves `AzureFunctionsRpcMessages.FunctionRpc/EventStream` over HTTP/2 without TLS (prior
/// knowledge, as gRPC clients connect to `http://` targets), with standard gRPC framing, on TCP and on
/// Unix domain sockets. Every worker speaks it: Microsoft's (grpcio), the bundled one, the conformance
/// kit's scripted worker (grpc-swift).
///
/// ```swift
/// let server = EventStreamServer(registry: registry, logger: logger)
/// let tcp = try await server.bind(host: "127.0.0.1", port: 0)
/// let uds = try await server.bind(unixSocketPath: directory.socketPath)
/// defer { server.close() }
/// ```
package final class EventStreamServer: Sendable {
  /// Limits and HTTP/2 settings.
  package struct Configuration: Sendable {
    /// Message size limits before and after StartStream.
    var limits = EventStreamStateMachine.Limits()
    /// Time a stream has to send its StartStream, and a connection to attach a worker (a connection that
    /// sends nothing, or no HEADERS, is closed when it elapses).
    package var startTimeout: Duration = .seconds(60)
    /// SETTINGS_INITIAL_WINDOW_SIZE: what each stream may send before the host reads.
    package var streamWindow = 16 << 20
    /// The connection-level window the host keeps open.
    package var connectionWindow = 32 << 20
    /// SETTINGS_MAX_FRAME_SIZE the host accepts.
    package var maxFrameSize = 1 << 20
    /// SETTINGS_MAX_CONCURRENT_STREAMS (a worker uses one).
    package var maxConcurrentStreams = 16
    /// Connections accepted at once on each listener (a worker uses one); beyond it new ones are
    /// closed at once, so that nobody on the machine can fill the host's descriptor table through
    /// this port (libdispatch traps when it cannot open a file).
    package var maxConnections = 128

    /// Largest message from an attached worker.
    package var maxMessageSize: Int {
      get { limits.afterStart }
      set { limits.afterStart = newValue }
    }
    /// Largest message before StartStream.
    package var maxMessageSizeBeforeStart: Int {
      get { limits.beforeStart }
      set { limits.beforeStart = newValue }
    }

    /// The defaults.
    package static var defaults: Configuration { Configuration() }
    /// The defaults, changed by `update`.
    package static func defaults(_ update: (inout Configuration) -> Void) -> Configuration {
      var c = Configuration()
      update(&c)
      return c
    }
  }

  private let registry: WorkerRegistry
  private let logger: Logger
  private let configuration: Configuration
  private let channels = Mutex<[ObjectIdentifier: any Channel]>([:])
  private let connections = Mutex(0)

  /// A server that attaches streams to the channels of `registry`.
  package init(registry: WorkerRegistry, configuration: Configuration = .defaults, logger: Logger) {
    self.registry = registry
    self.configuration = configuration
    self.logger = logger
  }

  /// Listens on TCP; the returned channel's `localAddress` has the port.
  package func bind(host: String, port: Int) async throws -> any Channel {
    let channel = try await bootstrap()
      .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
      .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
      .bind(host: host, port: port).get()
    track(channel)
    return channel
  }

  /// Listens on a Unix domain socket at `path` (an existing file there is replaced).
  package func bind(unixSocketPath path: String) async throws -> any Channel {
    let channel = try await bootstrap().bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true).get()
    track(channel)
    return channel
  }

  /// Closes every listener and connection.
  package func close() {
    let all = channels.withLock { c in
      defer { c.removeAll() }
      return Array(c.values)
    }
    for channel in all { channel.close(promise: nil) }
  }

  private func track(_ channel: any Channel) {
    let id = ObjectIdentifier(channel)
    channels.withLock { $0[id] = channel }
    channel.closeFuture.whenComplete { [weak self] _ in
      _ = self?.channels.withLock { $0.removeValue(forKey: id) }
    }
  }

  /// Connections open now (admitted and not yet closed) on all listeners.
  package var openConnections: Int { connections.withLock { $0 } }

  /// Counts a new connection in, unless ``Configuration/maxConnections`` are open. Both changes of the
  /// count are logged at debug level, with the count.
  private func admit(_ channel: any Channel) -> Bool {
    let limit = configuration.maxConnections
    let open = connections.withLock { count -> Int? in
      guard count < limit else { return nil }
      count += 1
      return count
    }
    guard let open else { return false }
    logger.debug("worker connection accepted (\(open) of \(limit) open)")
    let logger = self.logger
    channel.closeFuture.whenComplete { [weak self] _ in
      guard let self else { return }
      let left = self.connections.withLock { count -> Int in
        count -= 1
        return count
      }
      logger.debug("worker connection closed (\(left) of \(limit) open)")
    }
    return true
  }

  private func bootstrap() -> ServerBootstrap {
    let configuration = self.configuration
    let registry = self.registry
    let logger = self.logger
    var connectionSettings = NIOHTTP2Handler.ConnectionConfiguration()
    connectionSettings.initialSettings = [
      HTTP2Setting(parameter: .maxConcurrentStreams, value: configuration.maxConcurrentStreams),
      HTTP2Setting(parameter: .maxHeaderListSize, value: 16 * 1024),
      HTTP2Setting(parameter: .initialWindowSize, value: configuration.streamWindow),
      HTTP2Setting(parameter: .maxFrameSize, value: configuration.maxFrameSize),
    ]
    connectionSettings.targetWindowSize = configuration.connectionWindow
    var streamSettings = NIOHTTP2Handler.StreamConfiguration()
    streamSettings.targetWindowSize = configuration.streamWindow
    streamSettings.outboundBufferSizeHighWatermark = 4 << 20
    streamSettings.outboundBufferSizeLowWatermark = 1 << 20
    let connection = connectionSettings
    let stream = streamSettings
    let startTimeout = TimeAmount.nanoseconds(
      Int64(configuration.startTimeout.components.seconds) * 1_000_000_000
        + configuration.startTimeout.components.attoseconds / 1_000_000_000)
    return ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
      .serverChannelOption(.backlog, value: 256)
      .childChannelOption(.maxMessagesPerRead, value: 16)
      .childChannelInitializer { [weak self] channel in
        guard let self, self.admit(channel) else {
          logger.warning(
            "worker connection refused: \(configuration.maxConnections) connections are open already",
            metadata: ["peer": "\(LogSafe.escape(channel.remoteAddress.map { "\($0)" } ?? "?"))"])
          return channel.close()
        }
        self.track(channel)
        return channel.eventLoop.makeCompletedFuture {
          let connectionGuard = WorkerConnectionGuard(startTimeout: startTimeout, logger: logger)
          try channel.pipeline.syncOperations.addHandler(connectionGuard)
          let boundGuard = NIOLoopBound(connectionGuard, eventLoop: channel.eventLoop)
          _ = try channel.pipeline.syncOperations.configureHTTP2Pipeline(
            mode: .server, connectionConfiguration: connection, streamConfiguration: stream
          ) { streamChannel in
            streamChannel.eventLoop.makeCompletedFuture {
              try streamChannel.pipeline.syncOperations.addHandler(
                EventStreamHandler(
                  registry: registry, limits: configuration.limits, startTimeout: startTimeout, logger: logger,
                  connection: boundGuard))
            }
          }
        }
      }
  }
}
