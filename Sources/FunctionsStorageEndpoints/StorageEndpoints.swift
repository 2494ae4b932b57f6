internal import Foundation
public import FunctionsStorage
internal import Hummingbird
public import Logging
internal import NIOCore
public import ServiceLifecycle

/// Azure-Storage-compatible Blob and Queue endpoints (what Azurite serves) over a
/// ``FunctionsStore``, so that `UseDevelopmentStorage=true`-style connection strings, the
/// official Azure SDKs and the az CLI work against the host's own durable store unchanged.
///
/// It is a `Service`: `run()` serves both until graceful shutdown. URLs are path-style
/// (`http://127.0.0.1:10000/devstoreaccount1/<container>/<blob>`,
/// `http://127.0.0.1:10001/devstoreaccount1/<queue>/messages`).
///
/// - **Auth**: every request must carry a valid `Authorization: SharedKey account:signature`
///   (`SharedKeyLite` is accepted too), else `403 AuthenticationFailed`. Unsigned requests may
///   only read blobs of containers created with public access `blob` or `container` (and list
///   `container` ones). SAS tokens are not supported.
/// - **Bodies** are streamed both ways: uploads go to the store chunk by chunk, downloads come
///   from it chunk by chunk.
/// - **Errors** are Azure's: status, `x-ms-error-code` and the `<Error>` XML body.
///
/// ```swift
/// let store = try SQLiteStore(path: "/var/lib/app/store.sqlite")
/// let endpoints = StorageEndpoints(store: store, configuration: .defaults { $0.blobPort = 0; $0.queuePort = 0 })
/// let group = ServiceGroup(services: [endpoints], gracefulShutdownSignals: [.sigterm], logger: logger)
/// // elsewhere:
/// let connection = try await endpoints.connectionString   // DefaultEndpointsProtocol=http;AccountName=…
/// ```
public struct StorageEndpoints: Service, CustomStringConvertible {
  /// The configuration the endpoints were created with.
  public let configuration: Configuration

  private let store: any FunctionsStore
  private let logger: Logger
  let blobBox: AddressBox
  let queueBox: AddressBox

  /// Creates the endpoints; nothing listens until ``run()``.
  ///
  /// - Parameters:
  ///   - store: where queues, containers and blobs live.
  ///   - configuration: ports, host and account.
  ///   - logger: start-up, server failures (error), refused requests (debug, with the reason a
  ///     signature failed; clients only ever see a generic message).
  public init(
    store: any FunctionsStore,
    configuration: Configuration = .defaults,
    logger: Logger = Logger(label: "functions-host.storage")
  ) {
    self.store = store
    self.configuration = configuration
    self.logger = logger
    self.blobBox = AddressBox()
    self.queueBox = AddressBox()
  }

  /// Serves Blob and Queue until graceful shutdown (or cancellation).
  ///
  /// - Throws: ``StorageEndpointsError`` when a port is in use (``StorageEndpointsError/Code/portInUse``,
  ///   the message naming the port and the flag to change), the address cannot be bound, or the
  ///   account key is not base64; otherwise what the servers throw.
  public func run() async throws {
    blobBox.starting()
    queueBox.starting()
    let stopped = StorageEndpointsError(code: .notRunning, message: "the storage endpoints stopped")
    defer {
      blobBox.stopped(stopped)
      queueBox.stopped(stopped)
    }
    do {
      let blob = try makeBlobApplication()
      let queue = try makeQueueApplication()
      try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask {
          try await Self.serve(blob, port: configuration.blobPort, service: "Blob", flag: "--blob-port", box: blobBox, host: configuration.host)
        }
        group.addTask {
          try await Self.serve(queue, port: configuration.queuePort, service: "Queue", flag: "--queue-port", box: queueBox, host: configuration.host)
        }
        // The first failure ends both (leaving the body cancels the other server).
        while try await group.next() != nil {}
      }
    } catch let error as StorageEndpointsError {
      blobBox.stopped(error)
      queueBox.stopped(error)
      throw error
    }
  }

  /// `StorageEndpoints(blob: host:port, queue: host:port, account: name)`.
  public var description: String {
    let c = configuration
    return "StorageEndpoints(blob: \(c.host):\(c.blobPort), queue: \(c.host):\(c.queuePort), account: \(c.accountName))"
  }

  // MARK: Applications (tests drive them with HummingbirdTesting)

  /// The Blob server.
  func makeBlobApplication() throws(StorageEndpointsError) -> Application<StorageResponder<BlobOperations>> {
    makeApplication(
      BlobOperations(store: store, maxBodySize: configuration.maxBlobRequestBodySize),
      port: configuration.blobPort, service: "Blob", box: blobBox, authenticator: try authenticator())
  }

  /// The Queue server.
  func makeQueueApplication() throws(StorageEndpointsError) -> Application<StorageResponder<QueueOperations>> {
    makeApplication(
      QueueOperations(store: store, maxBodySize: configuration.maxQueueRequestBodySize),
      port: configuration.queuePort, service: "Queue", box: queueBox, authenticator: try authenticator())
  }

  private func authenticator() throws(StorageEndpointsError) -> SharedKeyAuthenticator {
    guard let authenticator = SharedKeyAuthenticator(account: configuration.accountName, base64Key: configuration.accountKey)
    else {
      throw StorageEndpointsError(code: .invalidConfiguration, message: "the storage account key is not valid base64")
    }
    return authenticator
  }

  private func makeApplication<Operations: StorageOperations>(
    _ operations: Operations, port: Int, service: String, box: AddressBox, authenticator: SharedKeyAuthenticator
  ) -> Application<StorageResponder<Operations>> {
    let logger = self.logger
    let configuration = self.configuration
    let responder = StorageResponder(
      operations: operations, authenticator: authenticator, account: configuration.accountName,
      serverName: configuration.serverName, defaultVersion: configuration.defaultVersion)
    return Application(
      responder: responder,
      configuration: ApplicationConfiguration(address: .hostname(configuration.host, port: port)),
      onServerRunning: { channel in
        let bound = ListeningAddress(
          host: channel.localAddress?.ipAddress ?? configuration.host,
          port: channel.localAddress?.port ?? port)
        logger.info("storage \(service) endpoint listening on \(bound.url)/\(configuration.accountName)")
        box.listening(at: bound)
      },
      logger: logger
    )
  }

  /// Runs one server, turning a failure to bind into a ``StorageEndpointsError`` naming the port.
  private static func serve<Responder: HTTPResponder>(
    _ application: Application<Responder>, port: Int, service: String, flag: String, box: AddressBox, host: String
  ) async throws {
    do {
      try await application.run()
    } catch {
      guard !box.isListening else { throw error }
      if let io = error as? IOError, io.errnoCode == EADDRINUSE {
        throw StorageEndpointsError(
          code: .portInUse,
          message: "port \(port) is in use (an Azurite running?); pass \(flag) N or --no-storage-endpoints",
          port: port, flag: flag)
      }
      throw StorageEndpointsError(
        code: .bindFailed, message: "cannot listen on \(host):\(port) for the storage \(service) endpoint: \(error)",
        port: port, flag: flag)
    }
  }
}
