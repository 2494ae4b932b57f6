internal import Foundation
internal import FunctionsHostCore
internal import FunctionsHostHTTP
internal import FunctionsObservability
internal import FunctionsPythonWorker
internal import FunctionsStorage
internal import FunctionsStorageEndpoints
internal import FunctionsStoragePostgres
internal import FunctionsTriggers
internal import Logging
internal import ServiceLifecycle

/// The running pieces of an application, built by ``make(scriptRoot:configuration:logger:)`` when it starts.
struct ApplicationParts: Sendable {
  let app: FunctionApp
  let host: FunctionsHost
  let store: any FunctionsStore
  let storePath: String?
  let ownsStore: Bool
  let bindings: BindingDispatcher
  let endpoints: StorageEndpoints?
  let frontDoor: HTTPFrontDoor
  let keys: KeyState?
  let cors: HTTPFrontDoor.CORSPolicy?
  let telemetry: HostTelemetry
  /// Runs invocations through the bindings and records them (metrics, dashboard).
  let dispatcher: ObservedDispatcher
  /// The services in start order: host, endpoints, triggers, front door (they stop in reverse).
  let services: [ServiceGroupConfiguration.ServiceConfiguration]

  /// Loads the app, prepares the worker, opens the store and builds every service.
  ///
  /// - Throws: ``FunctionsHostError`` `.configuration` naming what cannot be used.
  static func make(
    scriptRoot: String, configuration c: FunctionsApplication.Configuration, logger plainLogger: Logger
  ) async throws -> ApplicationParts {
    let telemetry = HostTelemetry(configuration: c.telemetry)
    let logger = telemetry.logger(teeing: plainLogger)
    let app = try c.app ?? FunctionApp.load(scriptRoot: scriptRoot, environment: c.environment)
    let cache = c.cacheDirectory ?? BundledPythonWorker.defaultCacheDirectory(environment: c.environment)
    let worker = try await workerDescription(c, app: app, cache: cache, logger: logger)
    let cors = c.cors ?? HTTPFrontDoor.CORSPolicy(settings: app.localSettings)
    try cors?.validate()

    var hostConfiguration = FunctionsHost.Configuration(
      scriptRoot: app.scriptRoot, worker: worker, workerCount: c.workerCount, environment: c.environment)
    hostConfiguration.app = app
    hostConfiguration.reloadOnChange = c.reloadOnChange
    hostConfiguration.transport = c.transport
    hostConfiguration.onWorkerEvent = { telemetry.record($0) }
    c.configureHost?(&hostConfiguration)
    let host = FunctionsHost(configuration: hostConfiguration, logger: logger)

    let (store, storePath, ownsStore) = try openStore(c.storage, app: app, cache: cache, logger: logger)
    var keys: KeyState? = nil
    var functionKeysRequired = true
    let secretsPath: String??
    switch c.keys {
    case .none: secretsPath = nil
    case .secretsFile(let path): secretsPath = .some(path)
    case .adminOnly(let path):
      secretsPath = .some(path)
      functionKeysRequired = false
    }
    if case .some(let path) = secretsPath {
      let file = FunctionKeysFile(
        path: path ?? FunctionKeysFile.defaultPath(scriptRoot: app.scriptRoot, cacheDirectory: cache))
      if store is PostgresStore {
        // Several hosts share this store: they share the keys too (seeded from this host's file).
        keys = .shared(SharedKeyRepository(store: store, seed: file, storeDescription: storePath ?? "PostgreSQL"))
      } else {
        keys = try KeyState.file(path: file.path)
      }
    }
    let endpoints = c.storageEndpoints.map { ports in
      StorageEndpoints(
        store: store,
        configuration: .defaults {
          $0.blobPort = ports.blob ?? 10000
          $0.queuePort = ports.queue ?? 10001
        },
        logger: logger)
    }
    let bindings = BindingDispatcher(host: host, store: store, logger: logger)
    let observed = telemetry.dispatcher(wrapping: bindings)
    telemetry.attach(
      .init(
        workers: { host.workers() },
        storage: {
          await ApplicationObservability.storageGauges(
            functions: host.functions(), bindings: bindings, store: store, logger: logger)
        }))
    let runs = BackgroundRuns()
    var triggersConfiguration = StorageTriggers.Configuration(hostID: c.hostID ?? ProcessInfo.processInfo.hostName)
    triggersConfiguration.dispatcher = observed
    if let endpoints {
      triggersConfiguration.blobEndpoint = {
        (try? await endpoints.blobEndpoint) ?? "http://127.0.0.1:10000/devstoreaccount1"
      }
    }
    if let zone = c.environment["WEBSITE_TIME_ZONE"].flatMap(TimeZone.init(identifier:)) {
      triggersConfiguration.timeZone = zone
    }
    let blobEndpoint = triggersConfiguration.blobEndpoint
    let triggers = StorageTriggers(
      host: host, bindings: bindings, store: store, configuration: triggersConfiguration, logger: logger)
    let frontDoor = HTTPFrontDoor(
      dispatcher: observed,
      configuration: .defaults {
        $0.host = c.http?.host ?? "127.0.0.1"
        $0.port = c.http?.port ?? app.localSettings.localHTTPPort ?? 7071
        $0.routePrefix = app.hostJSON.routePrefix
        $0.cors = cors
        $0.functionKeysRequired = functionKeysRequired
        $0.eventLoopInvocations = c.httpInvocationsOnEventLoop
      },
      logger: logger,
      keys: keys?.initial,
      keyStore: keys?.repository,
      statusProvider: { HostStatus(workers: host.workers()) },
      observability: FrontDoorObservability(telemetry: telemetry) { function, text in
        let endpoint = await blobEndpoint()
        let input = try await ApplicationObservability.input(
          for: function, text: text, store: store, blobEndpoint: endpoint)
        runs.submit {
          do { _ = try await observed.invoke(input) } catch {
            logger.error(
              "by-hand run of '\(function.name)' failed: \((error as? FunctionsHostError)?.message ?? "\(error)")",
              metadata: ["function": "\(function.name)"])
          }
        }
      })

    var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
    if ownsStore, let postgres = store as? PostgresStore {
      services.append(.init(service: postgres))  // first, so that it stops last
    }
    services.append(.init(service: host))
    if let endpoints, let ports = c.storageEndpoints {
      let explicit = ports.blob != nil || ports.queue != nil
      services.append(.init(service: OptionalStorageEndpoints(endpoints: endpoints, explicitPorts: explicit, logger: logger)))
    }
    services.append(.init(service: triggers))
    services.append(.init(service: runs))
    if c.http != nil { services.append(.init(service: frontDoor)) }
    if let shared = keys?.repository as? SharedKeyRepository {
      services.append(.init(service: SharedKeysWatcher(repository: shared, frontDoor: frontDoor, logger: logger)))
    }
    if let metricsPort = c.metricsPort {
      services.append(
        .init(
          service: MetricsEndpoint(
            telemetry: telemetry, host: c.http?.host ?? "127.0.0.1", port: metricsPort, sharingKeysOf: frontDoor,
            logger: logger)))
    }
    return ApplicationParts(
      app: app, host: host, store: store, storePath: storePath, ownsStore: ownsStore, bindings: bindings,
      endpoints: endpoints, frontDoor: frontDoor, keys: keys, cors: cors, telemetry: telemetry,
      dispatcher: observed, services: services)
  }

  /// Closes the store when the application opened it.
  func close() {
    if ownsStore, let sqlite = store as? SQLiteStore { sqlite.close() }
  }

  private static func openStore(
    _ storage: FunctionsApplication.Storage, app: FunctionApp, cache: String, logger: Logger
  ) throws -> (any FunctionsStore, String?, Bool) {
    let path: String
    switch storage {
    case .store(let store): return (store, nil, false)
    case .postgres(let text):
      do {
        let url = try PostgresURL(text)
        return (try PostgresStore(url: url, logger: logger), url.description, true)
      } catch {
        throw FunctionsHostError(code: .configuration, message: "--store: \(error)", cause: error)
      }
    case .sqlite(let p): path = p
    case .defaultFile:
      path = AppCacheLocation.path(
        scriptRoot: app.scriptRoot, cacheDirectory: cache, folder: "storage", fileExtension: "sqlite")
    }
    do { return (try SQLiteStore(path: path), path, true) } catch {
      throw FunctionsHostError(code: .configuration, message: "cannot open the store \(path): \(error)", cause: error)
    }
  }

  /// The configured worker; the bundled Python worker is materialized and its environment prepared.
  private static func workerDescription(
    _ c: FunctionsApplication.Configuration, app: FunctionApp, cache: String, logger: Logger
  ) async throws -> WorkerDescription {
    switch c.worker {
    case .custom(let description): return description
    case .bundledPython(let interpreter):
      let bundled: BundledWorkerLocation
      let python: PreparedPython
      do {
        bundled = try BundledPythonWorker.materialize(into: cache)
        python = try await PythonEnvironment(
          configuration: .defaults(cacheDirectory: cache, workerRequirementsFile: bundled.requirementsFile) {
            $0.interpreter = interpreter
          }
        ).prepare(
          appRoot: app.scriptRoot, environment: c.environment,
          logger: ProgressLogHandler.logger(logger, progress: c.onProgress))
      } catch let error as PythonEnvironmentError {
        throw FunctionsHostError(code: .configuration, message: "\(error)", cause: error)
      }
      var description = WorkerDescription(
        executable: python.executable, workerPath: bundled.workerScript, workerDirectory: bundled.directory,
        language: "python", environment: python.environment)
      description.supportsUnixSocketTransport = true
    description.readsWorkerIDFromEnvironment = true
      return description
    }
  }
}
