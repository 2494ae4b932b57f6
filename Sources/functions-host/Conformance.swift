internal import ArgumentParser
internal import Foundation
internal import FunctionsConformance
internal import FunctionsHostCore
internal import FunctionsPythonWorker
internal import Logging
#if canImport(Glibc)
  internal import Glibc
#endif

/// `functions-host conformance`: checks that a FunctionRpc worker behaves as a host expects.
struct Conformance: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Check a language worker against the Functions protocol (default: the bundled Python worker).",
    discussion: """
      Each scenario starts a fresh worker with the standard launch arguments against an independent mini host.
      Example: functions-host conformance --worker 'python -m azure_functions_worker' --report junit --report-file out.xml
      """)

  @Option(name: .long, help: "The worker command line, e.g. 'python -m azure_functions_worker' (default: the bundled Python worker).")
  var worker: String?

  @Option(name: .long, help: "Also check that every function of this app folder loads (scenario user-app).")
  var app: String?

  @Option(name: .long, parsing: .singleValue, help: "Run only this scenario (repeatable, or comma-separated).")
  var only: [String] = []

  @Option(name: .long, help: "Write a machine-readable report: junit or json.")
  var report: String?

  @Option(name: .customLong("report-file"), help: "Where to write the report (default: standard output).")
  var reportFile: String?

  @Flag(name: .customLong("list"), help: "List the scenarios and exit.")
  var list = false

  @Option(name: .long, help: "Python interpreter for the bundled worker.")
  var python: String?

  @Option(name: .long, help: "Cache folder for the bundled worker and its virtual environment.")
  var cacheDirectory: String?

  @Option(name: .customLong("start-timeout"), help: "Seconds a worker has to send StartStream.")
  var startTimeout: Int = 30

  @Option(name: .customLong("log-level"), help: "trace, debug, info, warning or error.")
  var logLevel: String = "warning"

  func validate() throws {
    if let report, !["junit", "json"].contains(report) { throw ValidationError("--report must be junit or json") }
    if reportFile != nil && report == nil { throw ValidationError("--report-file needs --report junit|json") }
  }

  func run() async throws {
    let environment = ProcessInfo.processInfo.environment
    guard let level = Logger.Level(rawValue: logLevel.lowercased()) else {
      throw ValidationError("--log-level '\(logLevel)' is not one of trace, debug, info, warning, error")
    }
    LoggingSystem.bootstrap { label in ConsoleLogHandler(label: label, level: level) }
    var logger = Logger(label: "conformance")
    logger.logLevel = level

    let names = Set(only.flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } })
    var configuration = ConformanceSuite.Configuration.defaults
    configuration.only = names.isEmpty ? nil : names
    configuration.userApp = app.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
    configuration.session.environment = environment
    configuration.session.logger = logger
    configuration.session.startTimeout = .seconds(startTimeout)
    let suite: ConformanceSuite
    do { suite = try ConformanceSuite(configuration: configuration) } catch let error as ConformanceError {
      throw ValidationError(error.message)
    }
    if list {
      for s in suite.scenarios { print("\(s.name.padding(toLength: 28, withPad: " ", startingAt: 0)) \(s.summary)") }
      return
    }
    let underTest = try await workerUnderTest(environment: environment, logger: logger)
    let toStdout = report != nil && reportFile == nil
    let console: @Sendable (String) -> Void = { line in
      if toStdout { FileHandle.standardError.write(Data((line + "\n").utf8)) } else { print(line) }
    }
    console("Checking \(underTest.name) (\(suite.scenarios.count) scenarios, a fresh worker each)…")
    let result = try await suite.run(underTest) { r in
      let mark = r.status == .passed ? "pass" : (r.status == .failed ? "FAIL" : "skip")
      console("  \(mark)  \(r.name)")
    }
    console("")
    console(result.table)
    if let report {
      let data: Data = report == "json" ? try result.json() : Data(result.junitXML.utf8)
      if let reportFile {
        try data.write(to: URL(fileURLWithPath: reportFile))
        console("report written to \(reportFile)")
      } else {
        FileHandle.standardOutput.write(data)
      }
    }
    if !result.passed { throw ExitCode(1) }
  }

  private func workerUnderTest(environment: [String: String], logger: Logger) async throws -> WorkerUnderTest {
    if let worker {
      do { return try .command(worker) } catch let error as ConformanceError { throw ValidationError(error.message) }
    }
    let cache = URL(fileURLWithPath: cacheDirectory ?? BundledPythonWorker.defaultCacheDirectory(environment: environment)).standardizedFileURL.path
    let bundled = try BundledPythonWorker.materialize(into: cache)
    let prepared: PreparedPython
    do {
      prepared = try await PythonEnvironment(
        configuration: .defaults(cacheDirectory: cache, workerRequirementsFile: bundled.requirementsFile) {
          $0.interpreter = self.python
          $0.usesAppVirtualEnvironment = false
        }
      ).prepare(appRoot: nil, environment: environment, logger: logger)
    } catch let error as PythonEnvironmentError {
      throw ValidationError("\(error)")
    }
    return .process(
      WorkerDescription(
        executable: prepared.executable, workerPath: bundled.workerScript, workerDirectory: bundled.directory,
        language: "python", environment: prepared.environment),
      name: "bundled Python worker")
  }
}

/// `functions-host fake-worker --mode MODE <launch arguments>`: the scripted misbehaving worker as a process,
/// for host tests (hidden).
struct FakeWorker: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "fake-worker", abstract: "Run the scripted (mis)behaving worker as a worker process.",
    shouldDisplay: false)

  @Option(name: .long, help: "One of: \(ScriptedWorker.Mode.allCases.map(\.rawValue).joined(separator: ", ")).")
  var mode: String = "conforming"

  @Option(name: .customLong("misbehave-once"), help: "Misbehave only in the first process that creates this file; later ones conform.")
  var misbehaveOnce: String?

  @Argument(parsing: .allUnrecognized, help: "The standard launch arguments (--host … --workerId …).")
  var launchArguments: [String] = []

  func run() async throws {
    guard var chosen = ScriptedWorker.Mode(rawValue: mode) else {
      throw ValidationError("unknown --mode '\(mode)'")
    }
    if let misbehaveOnce {
      let fd = open(misbehaveOnce, O_CREAT | O_EXCL | O_WRONLY, 0o644)
      if fd < 0 { chosen = .conforming } else { close(fd) }
    }
    let launch: WorkerLaunch
    do { launch = try WorkerLaunch(arguments: launchArguments) } catch let error as ConformanceError {
      throw ValidationError(error.message)
    }
    FileHandle.standardError.write(Data("scripted worker: mode \(chosen.rawValue), worker id \(launch.workerID)\n".utf8))
    try await ScriptedWorker(mode: chosen, exitsProcessOnCrash: true).run(launch)
  }
}
