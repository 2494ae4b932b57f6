import Foundation
import FunctionsHostCore
import FunctionsHostHTTP
import FunctionsPythonWorker
import FunctionsTestSupport
import Logging
import ServiceLifecycle
import Synchronization

/// The bundled worker and a Python environment for it, prepared once per test process (shared with the
/// conformance tests through FunctionsTestSupport).
enum TestPython {
  static var packageRoot: String { TestSupport.packageRoot }

  struct Prepared: Sendable {
    var worker: WorkerDescription
  }

  static func prepared() async throws -> Prepared { Prepared(worker: try await TestSupport.bundledPythonWorker()) }
}

/// A real host with real Python workers and a real HTTP front door on loopback, for one test.
struct LiveHost: Sendable {
  /// Whether ``stop()`` ran (it runs once).
  final class StopState: Sendable {
    let stopped = Mutex(false)
  }

  let host: FunctionsHost
  let frontDoor: HTTPFrontDoor
  let group: ServiceGroup
  let task: Task<Void, any Error>
  let port: Int
  let logs: LogCapture
  let appDirectory: String
  let report: StartupReport
  let stopState = StopState()

  /// Copies `Fixtures/<fixture>` to a temporary folder and serves it.
  ///
  /// `fixture` may be a nested path (`http-host/app`). `keys` and `configureFrontDoor` set up the
  /// front door (keys enforced, CORS, …); `/admin/host/status` always reports the host's workers.
  static func start(
    fixture: String = "app", workers: Int = 1, worker: WorkerDescription? = nil,
    configure: (inout FunctionsHost.Configuration) -> Void = { _ in },
    keys: FunctionKeys? = nil,
    configureFrontDoor: (inout HTTPFrontDoor.Configuration) -> Void = { _ in }
  ) async throws -> LiveHost {
    try await start(
      appAt: "\(TestPython.packageRoot)/Tests/FunctionsIntegrationTests/Fixtures/\(fixture)",
      folderLabel: fixture, workers: workers, worker: worker, configure: configure, keys: keys,
      configureFrontDoor: configureFrontDoor)
  }

  /// Serves a copy of any app folder (a fixture, or one of `Examples/`).
  static func start(
    appAt source: String, folderLabel: String? = nil, workers: Int = 1, worker: WorkerDescription? = nil,
    configure: (inout FunctionsHost.Configuration) -> Void = { _ in },
    keys: FunctionKeys? = nil,
    configureFrontDoor: (inout HTTPFrontDoor.Configuration) -> Void = { _ in }
  ) async throws -> LiveHost {
    let label = folderLabel ?? URL(fileURLWithPath: source).lastPathComponent
    let folderName = "fh-\(label.replacingOccurrences(of: "/", with: "-"))-\(UUID().uuidString)"
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(folderName).path
    try FixtureCopy.copy(source, to: directory)
    let description: WorkerDescription
    if let worker { description = worker } else { description = try await TestPython.prepared().worker }
    let logs = LogCapture()
    let logger = logs.logger()
    let app = try FunctionApp.load(scriptRoot: directory)
    var configuration = FunctionsHost.Configuration(
      scriptRoot: directory, worker: description, workerCount: workers,
      environment: ProcessInfo.processInfo.environment)
    configuration.app = app
    configuration.dispatchWaitTimeout = .seconds(30)
    configure(&configuration)
    let host = FunctionsHost(configuration: configuration, logger: logger)
    let frontDoor = HTTPFrontDoor(
      dispatcher: host,
      configuration: .defaults {
        $0.port = 0
        $0.routePrefix = app.hostJSON.routePrefix
        configureFrontDoor(&$0)
      }, logger: logger, keys: keys, statusProvider: { HostStatus(workers: host.workers()) })
    let group = ServiceGroup(
      configuration: .init(services: [.init(service: host), .init(service: frontDoor)], logger: logger))
    let task = Task { try await group.run() }
    let address = try await frontDoor.listeningAddress
    let report = try await host.waitForStartup()
    return LiveHost(
      host: host, frontDoor: frontDoor, group: group, task: task, port: address.port, logs: logs,
      appDirectory: directory, report: report)
  }

  /// Sends one HTTP request to the front door.
  func request(
    _ method: String = "GET", _ path: String, headers: [String: String] = [:], body: Data? = nil, chunks: [Data]? = nil
  ) async throws -> RawHTTPResponse {
    try await RawHTTPClient.send(port: port, method: method, path: path, headers: headers, body: body, chunks: chunks)
  }

  /// Runs `body`, then stops the host and waits for it, also when `body` throws (structured clean-up
  /// instead of a fire-and-forget task in a `defer`). `body` may stop the host itself first.
  func stoppingAfter(_ body: () async throws -> Void) async throws {
    do {
      try await body()
    } catch {
      try? await stop()
      throw error
    }
    try await stop()
  }

  /// Shuts down gracefully, waits for the services to end, and removes the app copy. Runs once.
  func stop() async throws {
    guard stopState.stopped.withLock({ s in defer { s = true }; return !s }) else { return }
    await group.triggerGracefulShutdown()
    try await task.value
    try? FileManager.default.removeItem(atPath: appDirectory)
  }
}

/// Copies a fixture app. Python files that must not compile (syntax-error fixtures) are kept in the repository
/// as `*.py.broken`, so every committed `.py` file compiles; the copy restores their `.py` name.
enum FixtureCopy {
  static func copy(_ source: String, to destination: String) throws {
    let fm = FileManager.default
    try fm.copyItem(atPath: source, toPath: destination)
    guard let walker = fm.enumerator(atPath: destination) else { return }
    for case let relative as String in walker where relative.hasSuffix(".py.broken") {
      let path = "\(destination)/\(relative)"
      try fm.moveItem(atPath: path, toPath: String(path.dropLast(".broken".count)))
    }
  }
}
