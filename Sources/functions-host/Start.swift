internal import ArgumentParser
internal import Foundation
internal import FunctionsHostCore
internal import FunctionsHostHTTP
internal import FunctionsHosting
internal import FunctionsObservability
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

  @Option(name: .long, help: "Worker transport: uds (default: gRPC over a private Unix socket for the bundled worker, TCP for others)) or grpc (gRPC over TCP for every worker).")
  var transport: String?

  @Flag(name: .customLong("no-reload"), help: "Do not restart the workers when the app's files change.")
  var noReload = false

  @Option(name: .customLong("log-level"), help: "trace, debug, info, warning or error.")
  var logLevel: String = "info"

  @Option(name: .customLong("log-format"), help: "text (default; coloured on a terminal) or json (one object per line).")
  var logFormat: String = "text"

  @Option(
    name: .customLong("metrics-port"),
    help: "Also serve the Prometheus metrics at /metrics on this port (0 picks a free port); same key rule as /admin.")
  var metricsPort: Int?

  @Flag(
    name: .customLong("no-metrics"),
    help: "Record no invocation metrics or dashboard data (to measure their cost).")
  var noMetrics = false

  @Flag(
    name: .customLong("no-event-loop-invocations"),
    help: ArgumentHelp(
      "Answer every HTTP request through the async responder (to measure the event-loop path).",
      visibility: .hidden))
  var noEventLoopInvocations = false

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

  @Flag(
    name: .customLong("no-auth-admin"),
    help: "With --no-auth, open the /admin endpoints too (by default they keep needing the master key).")
  var noAuthAdmin = false

  @Option(
    name: .customLong("secrets-file"),
    help: "The file holding the function keys (default: <cache>/secrets/<app>-<hash>.json).")
  var secretsFile: String?

  @Option(
    name: .long,
    help: "The store for queues, blobs and timer state: a SQLite file (default: <cache>/storage/<app>-<hash>.sqlite), or postgres://user[:password]@host[:port]/db to share it with other hosts.")
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
      throw ValidationError("--transport '\(transport)' is not uds or grpc")
    }
    for (flag, value) in [("--blob-port", blobPort), ("--queue-port", queuePort), ("--metrics-port", metricsPort)] {
      if let value, !(0...65535).contains(value) {
        throw ValidationError("\(flag) is \(value); expected 0 (any free port) to 65535")
      }
    }
    if !["text", "json"].contains(logFormat.lowercased()) {
      throw ValidationError("--log-format '\(logFormat)' is not text or json")
    }
    if noAuthAdmin && auth {
      throw ValidationError("--no-auth-admin only makes sense with --no-auth")
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
    if logFormat.lowercased() == "json" {
      LoggingSystem.bootstrap { label in JSONLogHandler(label: label, level: handlerLevel) }
    } else {
      LoggingSystem.bootstrap { label in ConsoleLogHandler(label: label, level: handlerLevel) }
    }
    let logger = Logger(label: "functions-host")
    Self.raiseOpenFileLimit(logger: logger)
    var settings = try configuration(app: app, environment: environment)
    let tracing: (any Service)?
    do {
      tracing = TracingSetup.wanted(environment) ? try TracingSetup.bootstrap(environment: environment) : nil
    } catch {
      throw ValidationError("OpenTelemetry (OTEL_* environment): \(error)")
    }
    settings.telemetry.traces = tracing != nil
    let application = FunctionsApplication(appFolder: app.scriptRoot, configuration: settings, logger: logger)

    let failure = try await withThrowingTaskGroup(of: String?.self) { tasks in
      tasks.addTask {
        do {
          if let tracing {
            // The exporter is listed first, so it stops last and sends the last spans.
            let group = ServiceGroup(
              configuration: .init(
                services: [.init(service: tracing), .init(service: application)],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            try await group.run()
          } else {
            try await application.runService()  // SIGTERM and SIGINT shut down gracefully
          }
        } catch let error as FunctionsHostError where application.startupCheckFailure != nil {
          return "start-up failed: \(error.message)"
        } catch let error as FunctionsHostError where error.code == .configuration {
          throw ValidationError(error.message)
        }
        return nil
      }
      tasks.addTask {
        guard let ready = try? await application.waitUntilReady(), let address = ready.httpAddress else { return nil }
        Self.printBanner(
          ready: ready, address: address, storage: StorageBanner(ready), functionKeysRequired: auth)
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

  /// Lifts the soft open-file limit to the hard limit, so idle connections do not starve worker restarts
  /// at the shell's default (often 1,024); logs the change.
  static func raiseOpenFileLimit(logger: Logger) {
    guard let (before, after) = FileDescriptorLimit.raiseToHardLimit() else {
      logger.warning("could not read the open-file limit (RLIMIT_NOFILE)")
      return
    }
    if after.soft > before.soft {
      logger.info("raised the open-file limit from \(before.soft) to \(after.soft) (the hard limit)")
    } else if before.soft < before.hard {
      logger.warning("could not raise the open-file limit above \(before.soft) (hard limit \(before.hard))")
    } else {
      logger.info("open-file limit: \(after.soft) (already the hard limit)")
    }
  }

  /// The flags as an application configuration.
  private func configuration(app: FunctionApp, environment: [String: String]) throws -> FunctionsApplication.Configuration {
    if workerCommand != nil && workerConfig != nil {
      throw ValidationError("--worker-command and --worker-config cannot be used together")
    }
    var c = FunctionsApplication.Configuration()
    c.app = app
    if let workerCommand {
      c.worker = .custom(try WorkerDescription.command(workerCommand, workerDirectory: app.scriptRoot))
    } else if let workerConfig {
      c.worker = .custom(try WorkerDescription.workerConfig(at: workerConfig, environment: environment))
    } else {
      c.worker = .bundledPython(interpreter: python)
    }
    c.workerCount = workers
    // validate() already refused an unknown transport.
    c.transport = transport.flatMap { FunctionsHost.Transport(rawValue: $0.lowercased()) }
    c.http = .init(host: host, port: port)
    c.storage =
      store.map { $0.hasPrefix("postgres://") || $0.hasPrefix("postgresql://") ? .postgres(url: $0) : .sqlite(path: $0) }
      ?? .defaultFile
    c.storageEndpoints = noStorageEndpoints ? nil : .init(blob: blobPort, queue: queuePort)
    c.keys = auth ? .secretsFile(secretsFile) : noAuthAdmin ? .none : .adminOnly(secretsFile: secretsFile)
    c.cors = HTTPFrontDoor.CORSPolicy(settings: app.localSettings, origins: cors, credentials: corsCredentials)
    if let problem = Self.corsProblem(c.cors) { throw ValidationError(problem) }
    c.environment = environment
    c.cacheDirectory = cacheDirectory
    c.reloadOnChange = !noReload
    c.hostID = hostID
    c.telemetry.recordInvocations = !noMetrics
    c.httpInvocationsOnEventLoop = !noEventLoopInvocations
    c.metricsPort = metricsPort
    if let maxMessageSize { c.configureHost = { $0.maxMessageSize = maxMessageSize } }
    return c
  }

  /// Why the CORS policy cannot be used (`*` with credentials), if it cannot.
  private static func corsProblem(_ policy: HTTPFrontDoor.CORSPolicy?) -> String? {
    guard let policy else { return nil }
    do {
      try policy.validate()
      return nil
    } catch {
      return error.message
    }
  }

  private static func printBanner(
    ready report: FunctionsApplication.Readiness, address: HTTPFrontDoor.ListeningAddress, storage: StorageBanner,
    functionKeysRequired: Bool
  ) {
    let routePrefix = report.routePrefix
    let cors = report.cors
    let created = report.createdKeys
    var out = "\nFunctions:\n\n"
    for function in report.functions.sorted(by: { $0.name < $1.name }) {
      guard let trigger = function.trigger else { continue }
      let disabled = function.isDisabled ? " (disabled)" : ""
      if trigger.isHTTPTrigger {
        let methods = trigger.methods.map { "[\($0.joined(separator: ","))]" } ?? "[all methods]"
        let route = trigger.route ?? function.name
        let prefix = routePrefix.isEmpty ? "" : "/\(routePrefix)"
        let level = trigger.authLevel
        let auth = report.keysFile == nil || !functionKeysRequired || level == "anonymous" ? "" : " (authLevel \(level): needs a key)"
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
    if let keysFile = report.keysFile {
      if created.isEmpty {
        out += "\nKeys: in \(keysFile)\n"
      } else {
        // The only time keys are shown: they go to stdout, never to the log.
        out += "\nKeys created now (shown only this once; kept in \(keysFile)):\n\n"
        for entry in created { out += "\t\(entry): \(entry.value)\n" }
        out += "\n"
      }
      out += functionKeysRequired
        ? "Pass a key in the x-functions-key header or as ?code=<key>.\n"
        : "--no-auth: every function is anonymous; /admin needs the master key (x-functions-key header).\n"
    }
    FileHandle.standardOutput.write(Data((out + "\n").utf8))
  }
}
