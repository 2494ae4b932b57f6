internal import Foundation
internal import FunctionsRPC
internal import NIOCore
public import Logging
public import ServiceLifecycle
internal import Synchronization

/// The embeddable Functions host: a gRPC EventStream server for workers (TCP, and a Unix socket for the
/// bundled worker), their supervisor, and the dispatcher.
///
/// Run it as a swift-service-lifecycle `Service`, and hand it to a trigger such as the HTTP front door,
/// which calls ``invoke(_:)``.
///
/// ```swift
/// let host = FunctionsHost(configuration: config, logger: logger)
/// let group = ServiceGroup(services: [host, HTTPFrontDoor(dispatcher: host, …)], logger: logger)
/// try await group.run()
/// ```
public final class FunctionsHost: Service, InvocationDispatching, Sendable {
  struct State {
    var app: FunctionApp? = nil
    var catalog: FunctionCatalog? = nil
    var supervisor: WorkerSupervisor? = nil
    var shuttingDown = false
    var pool = WorkerPool()
    var functionTimeout: Duration? = nil
    var unixSocket: (any Channel)? = nil
    var socketDirectory: PrivateSocketDirectory? = nil
    var appSettings: [String: String] = [:]
  }

  /// The configuration the host was created with.
  public let configuration: Configuration
  private let logger: Logger
  private let registry = WorkerRegistry()
  private let rpcServer: EventStreamServer
  let state = Mutex(State())
  private let started = Promise<Int>()
  private let appLoaded = Promise<Void>()
  private let reloads = ReloadBroadcaster()
  let traceContexts = TraceContextGenerator()
  let invocationIDs = InvocationIDGenerator()

  /// Creates a host; nothing starts until ``run()``.
  public init(configuration: Configuration, logger: Logger) {
    self.configuration = configuration
    self.logger = logger
    self.rpcServer = EventStreamServer(
      registry: registry,
      configuration: .defaults {
        $0.maxMessageSize = configuration.maxMessageSize
        $0.maxMessageSizeBeforeStart = min(configuration.maxMessageSizeBeforeStart, configuration.maxMessageSize)
        // A little longer than the supervisor's own start timeout, so that a launched worker that never
        // sends StartStream is reported by the supervisor (naming the worker) before its stream is cut.
        $0.startTimeout = configuration.startTimeout + .seconds(5)
      },
      logger: logger)
  }

  // MARK: - Service

  /// Loads the app, starts the gRPC server and the workers, and serves until graceful shutdown.
  ///
  /// - Throws: ``FunctionsHostError`` `.configuration` when the app cannot be loaded.
  public func run() async throws {
    let supervisor: WorkerSupervisor
    do {
      supervisor = try await prepare()
    } catch {
      // Readiness waiters learn of the failure instead of waiting forever.
      started.complete(.failure(error))
      appLoaded.complete(.failure(error))
      throw error
    }
    let (unixSocket, socketDirectory) = state.withLock { ($0.unixSocket, $0.socketDirectory) }
    defer {
      rpcServer.close()
      unixSocket?.close(promise: nil)
      socketDirectory?.remove()
    }
    let scriptRoot = state.withLock { $0.app?.scriptRoot } ?? configuration.scriptRoot

    // The TCP endpoint is open only when a worker connects through it: when the bundled worker uses the
    // Unix socket (the default), no local user can reach a worker stream through a port.
    var port = 0
    if unixSocket == nil {
      do {
        let listener = try await rpcServer.bind(host: configuration.rpcHost, port: configuration.rpcPort)
        guard let bound = listener.localAddress?.port else {
          throw FunctionsHostError(code: .internalError, message: "the worker gRPC endpoint did not report its port")
        }
        port = bound
      } catch {
        started.complete(.failure(error))  // e.g. the gRPC port could not be bound
        throw error
      }
      logger.info("worker gRPC endpoint listening on \(configuration.rpcHost):\(port)")
    } else {
      logger.debug("no worker TCP endpoint: every worker connects through the Unix socket")
    }
    started.complete(.success(port))
    await serve(supervisor: supervisor, scriptRoot: scriptRoot, rpcPort: port)
  }

  private func serve(supervisor: WorkerSupervisor, scriptRoot: String, rpcPort: Int) async {
    await withDiscardingTaskGroup { workers in
      if configuration.reloadOnChange {
        workers.addTask { await self.watchForChanges(scriptRoot: scriptRoot) }
      }
      await withGracefulShutdownHandler {
        await supervisor.run(rpcPort: rpcPort)
      } onGracefulShutdown: {
        self.beginShutdown()
      }
      // Cancelled as soon as the workers are gone, so shutdown does not wait for a poll.
      workers.cancelAll()
    }
    reloads.finish()
  }

  // MARK: - Hot reload

  /// Re-reads the app from disk and replaces the workers one by one, each new worker ready before an old
  /// one drains, so that no request fails. A broken host.json or local.settings.json keeps the running
  /// version (and says why). Returns whether the new version is serving.
  @discardableResult
  public func reload() async -> Bool {
    guard let supervisor = state.withLock({ $0.supervisor }) else { return false }
    let app: FunctionApp
    do {
      app = try FunctionApp.load(scriptRoot: configuration.scriptRoot, environment: configuration.environment)
    } catch {
      logger.error("hot reload: \((error as? FunctionsHostError)?.message ?? "\(error)"); the running version keeps serving")
      return false
    }
    let generation = self.generation(for: app)
    logger.info("hot reload: starting new workers for the changed app")
    let ok = await supervisor.roll(to: generation) {
      self.state.withLock { s in
        s.catalog = generation.catalog
        s.app = app
        s.appSettings = generation.environment
      }
    }
    if ok {
      logger.info("hot reload: done; every worker runs the new version")
      reloads.publish()
    }
    return ok
  }

  /// Polls the script root once a second; a change that stays put for one more poll triggers ``reload()``.
  /// A poll that cannot read the folder (EMFILE, EACCES) keeps the previous state (``AppChangeDetector``).
  private func watchForChanges(scriptRoot: String) async {
    // Polling is the mechanism here (no portable file-change notification); it runs on the host's clock.
    let clock = TimerClock(configuration.clock)
    var detector = AppChangeDetector(initial: AppFingerprint.take(scriptRoot: scriptRoot))
    while !Task.isCancelled {
      try? await clock.sleep(for: configuration.reloadPollInterval)
      if Task.isCancelled || state.withLock({ $0.shuttingDown }) { return }
      switch detector.observe(AppFingerprint.take(scriptRoot: scriptRoot)) {
      case .none:
        continue
      case .unreadable(let message):
        logger.warning("\(message)")
      case .readableAgain:
        logger.info("hot reload: the app folder can be read again")
      case .reload(let changed):
        logger.info(
          "hot reload: change detected in \(changed.prefix(5).map { LogSafe.escape($0) }.joined(separator: ", "))")
        await reload()
      }
    }
  }

  /// Reads the app and builds the supervisor (and the Unix-socket listener when enabled).
  private func prepare() async throws -> WorkerSupervisor {
    let app = try configuration.app ?? FunctionApp.load(scriptRoot: configuration.scriptRoot, environment: configuration.environment)
    let generation = self.generation(for: app)
    let workerCount = try resolveWorkerCount(settings: generation.environment)
    let pool = WorkerPool(options: app.hostJSON.dispatch)
    let functionTimeout: Duration?
    if let configured = configuration.functionTimeout {
      functionTimeout = configured > .zero ? configured : nil
    } else {
      switch app.hostJSON.functionTimeout {
      case .infinite: functionTimeout = nil
      case .limited(let d): functionTimeout = d
      case nil: functionTimeout = .seconds(30 * 60)
      }
    }
    var settings = WorkerSupervisor.Settings(
      description: configuration.worker, workerCount: workerCount, scriptRoot: app.scriptRoot,
      startTimeout: configuration.startTimeout, initTimeout: configuration.initTimeout,
      loadTimeout: configuration.loadTimeout, terminateGrace: configuration.terminateGrace,
      drainTimeout: configuration.drainTimeout, maxMessageLength: configuration.maxMessageSize,
      hostVersion: configuration.hostVersion, backoff: Backoff())
    settings.cancelGrace = app.hostJSON.dispatch.cancelGrace
    settings.logLevels = LogLevelPolicy(hostJSONLevels: app.hostJSON.logLevels)
    settings.healthInterval = configuration.healthInterval
    settings.healthTimeout = configuration.healthTimeout
    settings.processRunner = configuration.processRunner
    settings.streamLossGrace = configuration.streamLossGrace
    settings.onWorkerEvent = configuration.onWorkerEvent
    settings.clock = TimerClock(configuration.clock)
    let (unixSocket, socketDirectory) = try await bindUnixSocket(hostJSON: app.hostJSON, settings: &settings)
    let supervisor = WorkerSupervisor(
      settings: settings, registry: registry, pool: pool, generation: generation, logger: logger)
    state.withLock { s in
      s.app = app
      s.catalog = generation.catalog
      s.supervisor = supervisor
      s.pool = pool
      s.functionTimeout = functionTimeout
      s.unixSocket = unixSocket
      s.socketDirectory = socketDirectory
      s.appSettings = generation.environment
    }
    appLoaded.complete(.success(()))
    return supervisor
  }

  /// Binds the Unix-socket endpoint the transport asks for (in a new private directory), if the worker
  /// supports it, and tells the supervisor where it is.
  private func bindUnixSocket(hostJSON: HostJSON, settings: inout WorkerSupervisor.Settings) async throws
    -> ((any Channel)?, PrivateSocketDirectory?)
  {
    let explicit = configuration.transport ?? hostJSON.dispatch.transport
    let transport = explicit ?? .unixSocket
    guard configuration.worker.supportsUnixSocketTransport else {
      if explicit != nil, transport != .grpc {
        logger.warning("the worker does not support the Unix-socket transport; it connects over TCP")
      }
      return (nil, nil)
    }
    let directory = try PrivateSocketDirectory.create()
    // The workers' own HTTP servers (HTTP proxying) listen in the same private directory.
    settings.httpSocketDirectory = directory.path
    guard transport != .grpc else { return (nil, directory) }
    do {
      let channel = try await rpcServer.bind(unixSocketPath: directory.socketPath)
      settings.unixSocketPath = directory.socketPath
      logger.info("worker gRPC endpoint listening on unix:\(directory.socketPath)")
      try directory.restrictSocket()
      return (channel, directory)
    } catch {
      directory.remove()
      throw error
    }
  }

  /// What a worker generation runs for `app`: its catalog (fixed for function.json apps, indexed by the first
  /// worker for decorator apps) and its environment (as Core Tools: the host's environment wins over
  /// local.settings.json `Values`). Logs the app's warnings and per-function errors.
  private func generation(for app: FunctionApp) -> WorkerSupervisor.Generation {
    for warning in app.warnings { logger.warning("\(warning)") }
    for error in app.functionErrors { logger.error("\(error.message)") }
    var environment = configuration.environment
    environment.merge(app.localSettings.values) { current, _ in current }
    let catalog =
      app.hasWorkerIndexedScript
      ? FunctionCatalog() : FunctionCatalog(functions: app.functions, errors: app.functionErrors)
    let scriptRoot = app.scriptRoot
    let settingsValues = app.localSettings.values
    return WorkerSupervisor.Generation(
      catalog: catalog, environment: environment,
      indexFallback: { FunctionJSONIndexer.scan(scriptRoot: scriptRoot, settings: settingsValues) })
  }

  /// Stops taking invocations, drains, terminates the workers; ``run()`` then returns.
  public func beginShutdown() {
    let supervisor = state.withLock { s in
      s.shuttingDown = true
      return s.supervisor
    }
    supervisor?.beginShutdown()
  }

  private func resolveWorkerCount(settings: [String: String]) throws -> Int {
    if let n = configuration.workerCount {
      guard n >= 1, n <= 64 else {
        throw FunctionsHostError(code: .configuration, message: "--workers is \(n); expected 1 to 64")
      }
      return n
    }
    if let text = settings["FUNCTIONS_WORKER_PROCESS_COUNT"] {
      guard let n = Int(text.trimmingCharacters(in: .whitespaces)), n >= 1, n <= 64 else {
        throw FunctionsHostError(
          code: .configuration, message: "app setting FUNCTIONS_WORKER_PROCESS_COUNT is '\(text)'; expected 1 to 64")
      }
      return n
    }
    return 1
  }

  // MARK: - Readiness

  /// The worker gRPC port on ``Configuration/rpcHost`` once the server listens; `0` when no TCP
  /// endpoint is open because every worker connects through the Unix socket (the default transport
  /// with the bundled worker).
  public func rpcPort() async throws -> Int { try await started.value() }

  /// Waits until every worker slot became ready once or failed its first start, and reports the app's state.
  public func waitForStartup() async throws -> StartupReport {
    try await appLoaded.value()
    let (supervisor, catalog) = state.withLock { ($0.supervisor, $0.catalog) }
    await supervisor?.waitForStartup()
    var loadErrors: [String: String] = [:]
    let pool = state.withLock { $0.pool }
    for channel in pool.channels {
      for function in catalog?.functions ?? [] {
        if case .failed(let message) = channel.loadState(of: function.functionID) {
          loadErrors[function.name] = message
        }
      }
    }
    return StartupReport(
      functions: catalog?.functions ?? [], indexingErrors: catalog?.errors ?? [],
      loadErrors: loadErrors, readyWorkers: pool.channels.filter(\.isReady).count)
  }

  /// The worker processes now running, for status endpoints and tests.
  public func workers() -> [WorkerStatus] {
    guard let supervisor = state.withLock({ $0.supervisor }) else { return [] }
    return supervisor.liveWorkers().map {
      WorkerStatus(slot: $0.slot, pid: $0.pid, isReady: $0.ready, outstanding: $0.outstanding, starts: $0.starts)
    }
  }

  /// The loaded app, once ``run()`` read it.
  public var app: FunctionApp? { state.withLock { $0.app } }

  /// The app settings the workers see: the host environment merged over local.settings.json `Values`
  /// (empty until ``run()`` read the app). Triggers resolve `%Setting%` and connection names here.
  public var appSettings: [String: String] { state.withLock { $0.appSettings } }

  /// One element each time a hot reload put a new version of the app in service (its functions may
  /// differ: call ``functions()``). Ends when the host stops. Each call is a new subscription.
  public func reloadEvents() -> AsyncStream<Void> { reloads.subscribe() }

}
