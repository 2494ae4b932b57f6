internal import ArgumentParser
internal import Foundation
internal import FunctionsHostCore
internal import FunctionsHostHTTP
internal import FunctionsPythonWorker
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

  @Option(name: .customLong("log-level"), help: "trace, debug, info, warning or error.")
  var logLevel: String = "info"

  func run() async throws {
    let environment = ProcessInfo.processInfo.environment
    guard let level = Logger.Level(rawValue: logLevel.lowercased()) else {
      throw ValidationError("--log-level '\(logLevel)' is not one of trace, debug, info, warning, error")
    }
    LoggingSystem.bootstrap { label in ConsoleLogHandler(label: label, level: level) }
    let logger = Logger(label: "functions-host")

    let app: FunctionApp
    do { app = try FunctionApp.load(scriptRoot: scriptRoot) } catch let error as FunctionsHostError {
      throw ValidationError(error.message)
    }
    let worker = try await workerDescription(app: app, environment: environment, logger: logger)

    var hostConfiguration = FunctionsHost.Configuration(
      scriptRoot: app.scriptRoot, worker: worker, workerCount: workers, environment: environment)
    if let maxMessageSize { hostConfiguration.maxMessageSize = maxMessageSize }
    let functionsHost = FunctionsHost(configuration: hostConfiguration, logger: logger)

    let httpPort = port ?? app.localSettings.localHTTPPort ?? 7071
    let frontDoor = HTTPFrontDoor(
      dispatcher: functionsHost,
      configuration: .defaults {
        $0.host = host
        $0.port = httpPort
        $0.routePrefix = app.hostJSON.routePrefix
      },
      logger: logger)

    let group = ServiceGroup(
      configuration: .init(
        services: [
          .init(service: functionsHost),
          .init(service: frontDoor),
        ],
        gracefulShutdownSignals: [.sigterm, .sigint],
        logger: logger))
    try await withThrowingTaskGroup(of: Void.self) { tasks in
      tasks.addTask { try await group.run() }
      tasks.addTask {
        guard let address = try? await frontDoor.listeningAddress,
          let report = try? await functionsHost.waitForStartup()
        else { return }
        Self.printBanner(report: report, address: address, routePrefix: app.hostJSON.routePrefix)
      }
      try await tasks.waitForAll()
    }
  }

  /// The worker to run: `--worker-command`, `--worker-config`, or the bundled Python worker.
  private func workerDescription(
    app: FunctionApp, environment: [String: String], logger: Logger
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
    let cache = cacheDirectory ?? BundledPythonWorker.defaultCacheDirectory(environment: environment)
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
    return WorkerDescription(
      executable: python.executable, workerPath: bundled.workerScript, workerDirectory: bundled.directory,
      language: "python", environment: python.environment)
  }

  private static func printBanner(report: StartupReport, address: HTTPFrontDoor.ListeningAddress, routePrefix: String) {
    var out = "\nFunctions:\n\n"
    for function in report.functions.sorted(by: { $0.name < $1.name }) {
      guard let trigger = function.trigger else { continue }
      let disabled = function.isDisabled ? " (disabled)" : ""
      if trigger.isHTTPTrigger {
        let methods = trigger.methods.map { "[\($0.joined(separator: ","))]" } ?? "[all methods]"
        let route = trigger.route ?? function.name
        let prefix = routePrefix.isEmpty ? "" : "/\(routePrefix)"
        out += "\t\(function.name): \(methods) \(address.url)\(prefix)/\(route)\(disabled)\n"
      } else {
        out += "\t\(function.name): \(trigger.type)\(disabled)\n"
      }
    }
    if !report.indexingErrors.isEmpty || !report.loadErrors.isEmpty {
      out += "\nErrors:\n\n"
      for error in report.indexingErrors { out += "\t\(error.message)\n" }
      for (name, message) in report.loadErrors.sorted(by: { $0.key < $1.key }) {
        out += "\t\(name): failed to load: \(message.split(separator: "\n").first ?? "")\n"
      }
    }
    if report.readyWorkers == 0 {
      out += "\nNo worker is ready; see the log above.\n"
    }
    FileHandle.standardOutput.write(Data((out + "\n").utf8))
  }
}
