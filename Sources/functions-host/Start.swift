internal import ArgumentParser
internal import Foundation
internal import FunctionsHostCore
internal import FunctionsHostHTTP
internal import FunctionsPythonWorker
internal import FunctionsStorage
internal import FunctionsStorageEndpoints
internal import FunctionsTriggers
internal import Logging
internal import ServiceLifecycle
internal import UnixSignals

/// `functions-host start`: the equivalent of `func start`.
struct Start: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Serve a function app: start its workers and the HTTP front door.")

  @Option(name: .long, help: "The function app folder (holds host.json).")
  var scriptRoot: String = "."

  @Option(name: .long, help: "HTTP port of the front door (0 picks a free port).")
  var port: Int?

  @Option(name: .long, help: "HTTP listen address.")
  var host: String = "127.0.0.1"

  @Option(name: .long, help: "Number of worker processes (default: FUNCTIONS_WORKER_PROCESS_COUNT, else 1).")
  var workers: Int?

  @Option(name: .long, help: "Python interpreter for the bundled worker (default: the app's .venv, else python3).")
  var python: String?

  @Option(name: .customLong("worker-command"), help: "Run another FunctionRpc worker, e.g. 'python -m azure_functions_worker'.")
  var workerCommand: String?

  @Option(name: .customLong("worker-config"), help: "A stock-host style worker.config.json describing the worker to run.")
  var workerConfig: String?

  @Option(name: .long, help: "Cache folder for the bundled worker and managed virtual environments.")
  var cacheDirectory: String?

  @Option(name: .customLong("max-message-size"), help: "Largest gRPC message accepted from a worker, in bytes.")
  var maxMessageSize: Int?

  @Option(name: .long, help: "Worker transport: grpc (default; every worker) or uds (fast Unix socket; bundled worker only).")
  var transport: String?

  @Flag(name: .customLong("no-reload"), help: "Do not restart the workers when the app's files change.")
  var noReload = false

  @Option(name: .customLong("log-level"), help: "trace, debug, info, warning or error.")
  var logLevel: String = "info"

  @Option(
    name: .long,
    help: "Host-level CORS: allowed origins, comma-separated, or '*' (replaces local.settings.json Host.CORS).")
  var cors: [String] = []

  @Flag(
    name: .customLong("cors-credentials"),
    help: "Allow credentialed CORS requests (else local.settings.json Host.CORSCredentials).")
  var corsCredentials = false

  @Flag(
    name: .customLong("auth"), inversion: .prefixedNo,
    help: "Enforce authLevel function/admin with keys (--no-auth: every function is anonymous).")
  var auth = true

  @Option(
    name: .customLong("secrets-file"),
    help: "The file holding the function keys (default: <cache>/secrets/<app>-<hash>.json).")
  var secretsFile: String?

  @Option(
    name: .long,
    help: "The store file for queues, blobs and timer state (default: <cache>/storage/<app>-<hash>.sqlite).")
  var store: String?

  @Option(name: .customLong("blob-port"), help: "Port of the Azure-compatible Blob endpoint (0 picks a free port).")
  var blobPort: Int?

  @Option(name: .customLong("queue-port"), help: "Port of the Azure-compatible Queue endpoint (0 picks a free port).")
  var queuePort: Int?

  @Flag(
    name: .customLong("no-storage-endpoints"),
    help: "Do not serve the Blob and Queue endpoints (triggers and bindings still use the store).")
  var noStorageEndpoints = false

  @Option(name: .customLong("host-id"), help: "This host's name in queue leases and logs (default: the machine's hostname).")
  var hostID: String?

  /// Rejects bad flags before anything starts.
  func validate() throws {
    if let workers, !(1...64).contains(workers) {
      throw ValidationError("--workers is \(workers); expected 1 to 64")
    }
    if let port, !(0...65535).contains(port) {
      throw ValidationError("--port is \(port); expected 0 (any free port) to 65535")
    }
    if let transport, FunctionsHost.Transport(rawValue: transport.lowercased()) == nil {
      throw ValidationError("--transport '\(transport)' is not grpc or uds")
    }
    for (flag, value) in [("--blob-port", blobPort), ("--queue-port", queuePort)] {
      if let value, !(0...65535).contains(value) {
        throw ValidationError("\(flag) is \(value); expected 0 (any free port) to 65535")
      }
    }
    if noStorageEndpoints && (blobPort != nil || queuePort != nil) {
      throw ValidationError("--no-storage-endpoints cannot be combined with --blob-port or --queue-port")
    }
  }

  func run() async throws {
    let environment = ProcessInfo.processInfo.environment
    guard let level = Logger.Level(rawValue: logLevel.lowercased()) else {
      throw ValidationError("--log-level '\(logLevel)' is not one of trace, debug, info, warning, error")
    }
    let app: FunctionApp
    do { app = try FunctionApp.load(scriptRoot: scriptRoot, environment: environment) } catch let error as FunctionsHostError {
      throw ValidationError(error.message)
    }
    // host.json may ask for more detail for some functions (logging.logLevel); the host filters per category.
    let wanted = LogLevelPolicy.swiftLevel(LogLevelPolicy(hostJSONLevels: app.hostJSON.logLevels).lowestLevel)
    let handlerLevel = min(level, wanted)
    LoggingSystem.bootstrap { label in ConsoleLogHandler(label: label, level: handlerLevel) }
    let logger = Logger(label: "functions-host")
    let cache = cacheDirectory ?? BundledPythonWorker.defaultCacheDirectory(environment: environment)
    let worker = try await workerDescription(app: app, environment: environment, cache: cache, logger: logger)
    let keyState = try loadKeys(app: app, cache: cache)
    let corsPolicy = HTTPFrontDoor.CORSPolicy(
      settings: app.localSettings, origins: cors, credentials: corsCredentials)

    var hostConfiguration = FunctionsHost.Configuration(
      scriptRoot: app.scriptRoot, worker: worker, workerCount: workers, environment: environment)
    hostConfiguration.app = app
    if let maxMessageSize { hostConfiguration.maxMessageSize = maxMessageSize }
    hostConfiguration.reloadOnChange = !noReload
    if let transport {
      guard let t = FunctionsHost.Transport(rawValue: transport.lowercased()) else {
        throw ValidationError("--transport '\(transport)' is not grpc or uds")
      }
      hostConfiguration.transport = t
    }
    let functionsHost = FunctionsHost(configuration: hostConfiguration, logger: logger)

    let storePath = store ?? AppCacheLocation.path(
      scriptRoot: app.scriptRoot, cacheDirectory: cache, folder: "storage", fileExtension: "sqlite")
    let sqlite: SQLiteStore
    do { sqlite = try SQLiteStore(path: storePath) } catch {
      throw ValidationError("cannot open the store \(storePath): \(error)")
    }
    defer { sqlite.close() }
    let endpoints: StorageEndpoints? =
      noStorageEndpoints
      ? nil
      : StorageEndpoints(
        store: sqlite,
        configuration: .defaults {
          $0.blobPort = blobPort ?? 10000
          $0.queuePort = queuePort ?? 10001
        },
        logger: logger)
    let bindings = BindingDispatcher(host: functionsHost, store: sqlite, logger: logger)
    var triggersConfiguration = StorageTriggers.Configuration(hostID: hostID ?? ProcessInfo.processInfo.hostName)
    if let endpoints {
      triggersConfiguration.blobEndpoint = {
        (try? await endpoints.blobEndpoint) ?? "http://127.0.0.1:10000/devstoreaccount1"
      }
    }
    if let zone = environment["WEBSITE_TIME_ZONE"].flatMap(TimeZone.init(identifier:)) {
      triggersConfiguration.timeZone = zone
    }
    let triggers = StorageTriggers(
      host: functionsHost, bindings: bindings, store: sqlite, configuration: triggersConfiguration, logger: logger)

    let httpPort = port ?? app.localSettings.localHTTPPort ?? 7071
    let routePrefix = app.hostJSON.routePrefix
    let frontDoor = HTTPFrontDoor(
      dispatcher: bindings,
      configuration: .defaults {
        $0.host = host
        $0.port = httpPort
        $0.routePrefix = routePrefix
        $0.cors = corsPolicy
      },
      logger: logger,
      keys: keyState?.keys,
      statusProvider: { HostStatus(workers: functionsHost.workers()) })

    let group = ServiceGroup(
      configuration: .init(
        services: [.init(service: functionsHost)]
          + (endpoints.map {
            [.init(service: OptionalStorageEndpoints(endpoints: $0, explicitPorts: blobPort != nil || queuePort != nil, logger: logger))]
          } ?? [])
          + [.init(service: triggers), .init(service: frontDoor)],
        gracefulShutdownSignals: [.sigterm, .sigint],
        logger: logger))
    let failure = try await withThrowingTaskGroup(of: String?.self) { tasks in
      tasks.addTask {
        try await group.run()
        return nil
      }
      tasks.addTask {
        guard let address = try? await frontDoor.listeningAddress,
          let report = try? await functionsHost.waitForStartup()
        else { return nil }
        // Two functions on one route: refuse to start rather than serve one of them.
        let duplicates = HTTPFrontDoor.routeProblems(in: report.functions, routePrefix: routePrefix)
          .filter { $0.kind == .duplicateRoute }
        if !duplicates.isEmpty {
          await group.triggerGracefulShutdown()
          return "start-up failed: "
            + duplicates.map(\.message).joined(separator: "\nstart-up failed: ")
        }
        var created: [FunctionKeys.Entry] = []
        if let keyState {
          do {
            created = try keyState.completed(for: report.functions, frontDoor: frontDoor)
          } catch {
            await group.triggerGracefulShutdown()
            return "start-up failed: \((error as? FunctionsHostError)?.message ?? "\(error)")"
          }
        }
        let storage = await StorageBanner.make(
          endpoints: endpoints, storePath: storePath, bindings: bindings, functions: report.functions)
        Self.printBanner(
          report: report, address: address, routePrefix: routePrefix, keys: keyState, cors: corsPolicy,
          created: created, storage: storage)
        return nil
      }
      var failure: String? = nil
      for try await result in tasks where result != nil { failure = result }
      return failure
    }
    if let failure {
      logger.error("\(failure)")
      throw ExitCode.failure
    }
  }

  /// The keys to enforce (`nil` with `--no-auth`): the secrets file's, or new ones kept in memory
  /// until ``KeyState/completed(for:frontDoor:)`` writes them once the functions are known.
  private func loadKeys(app: FunctionApp, cache: String) throws -> KeyState? {
    guard auth else { return nil }
    let file = FunctionKeysFile(
      path: secretsFile ?? FunctionKeysFile.defaultPath(scriptRoot: app.scriptRoot, cacheDirectory: cache))
    do {
      if let keys = try file.load() { return KeyState(file: file, keys: keys, isNew: false) }
    } catch {
      throw ValidationError(error.message)
    }
    return KeyState(file: file, keys: .generate(), isNew: true)
  }

  /// The worker to run: `--worker-command`, `--worker-config`, or the bundled Python worker.
  private func workerDescription(
    app: FunctionApp, environment: [String: String], cache: String, logger: Logger
  ) async throws -> WorkerDescription {
    if workerCommand != nil && workerConfig != nil {
      throw ValidationError("--worker-command and --worker-config cannot be used together")
    }
    if let workerCommand {
      return try WorkerDescription.command(workerCommand, workerDirectory: app.scriptRoot)
    }
    if let workerConfig {
      return try WorkerDescription.workerConfig(at: workerConfig, environment: environment)
    }
    let bundled = try BundledPythonWorker.materialize(into: cache)
    let python: PreparedPython
    do {
      python = try await PythonEnvironment(
        configuration: .defaults(cacheDirectory: cache, workerRequirementsFile: bundled.requirementsFile) {
          $0.interpreter = self.python
        }
      ).prepare(appRoot: app.scriptRoot, environment: environment, logger: logger)
    } catch let error as PythonEnvironmentError {
      throw ValidationError("\(error)")
    }
    var description = WorkerDescription(
      executable: python.executable, workerPath: bundled.workerScript, workerDirectory: bundled.directory,
      language: "python", environment: python.environment)
    description.supportsUnixSocketTransport = true
    return description
  }

  private static func printBanner(
    report: StartupReport, address: HTTPFrontDoor.ListeningAddress, routePrefix: String, keys: KeyState?,
    cors: HTTPFrontDoor.CORSPolicy?, created: [FunctionKeys.Entry], storage: StorageBanner
  ) {
    var out = "\nFunctions:\n\n"
    for function in report.functions.sorted(by: { $0.name < $1.name }) {
      guard let trigger = function.trigger else { continue }
      let disabled = function.isDisabled ? " (disabled)" : ""
      if trigger.isHTTPTrigger {
        let methods = trigger.methods.map { "[\($0.joined(separator: ","))]" } ?? "[all methods]"
        let route = trigger.route ?? function.name
        let prefix = routePrefix.isEmpty ? "" : "/\(routePrefix)"
        let level = trigger.authLevel
        let auth = keys == nil || level == "anonymous" ? "" : " (authLevel \(level): needs a key)"
        out += "\t\(function.name): \(methods) \(address.url)\(prefix)/\(route)\(auth)\(disabled)\n"
      } else {
        out += "\t\(function.name): \(storage.describe(trigger: trigger, of: function))\(disabled)\n"
      }
    }
    if !report.indexingErrors.isEmpty || !report.loadErrors.isEmpty || !storage.errors.isEmpty {
      out += "\nErrors:\n\n"
      for error in report.indexingErrors { out += "\t\(error.message)\n" }
      for error in storage.errors { out += "\t\(error.message)\n" }
      for (name, message) in report.loadErrors.sorted(by: { $0.key < $1.key }) {
        out += "\t\(name): failed to load: \(message.split(separator: "\n").first ?? "")\n"
      }
    }
    for warning in storage.warnings { out += "\nWarning: \(warning)\n" }
    out += storage.endpointsText
    if report.readyWorkers == 0 {
      out += "\nNo worker is ready; see the log above.\n"
    }
    if let cors {
      let credentials = cors.allowsCredentials ? " (with credentials)" : ""
      out += "\nCORS: \(cors.allowedOrigins.joined(separator: ", "))\(credentials)\n"
    }
    if let keys {
      if created.isEmpty {
        out += "\nKeys: in \(keys.file.path)\n"
      } else {
        // The only time keys are shown: they go to stdout, never to the log.
        out += "\nKeys created now (shown only this once; kept in \(keys.file.path)):\n\n"
        for entry in created { out += "\t\(entry): \(entry.value)\n" }
        out += "\n"
      }
      out += "Pass a key in the x-functions-key header or as ?code=<key>.\n"
    }
    FileHandle.standardOutput.write(Data((out + "\n").utf8))
  }
}

/// The keys `start` enforces, and the secrets file they live in.
struct KeyState: Sendable {
  /// The secrets file.
  let file: FunctionKeysFile
  /// The keys as loaded (or generated, when `isNew`).
  let keys: FunctionKeys
  /// Whether the keys were generated by this start (the file did not exist).
  let isNew: Bool

  /// Adds the keys the indexed functions lack, writes the file when anything was created, hands
  /// the result to the front door, and returns the created keys (for printing, once).
  func completed(
    for functions: [FunctionMetadata], frontDoor: HTTPFrontDoor
  ) throws(FunctionsHostError) -> [FunctionKeys.Entry] {
    var keys = self.keys
    var created = isNew ? keys.entries : []
    created += keys.addMissingFunctionKeys(for: functions)
    guard !created.isEmpty else { return [] }
    try file.save(keys)
    frontDoor.updateKeys(keys)
    return created
  }
}
