internal import Foundation
internal import Logging

/// Runs named scenarios against a worker, each with a fresh worker process, and reports the results.
///
/// ```swift
/// let suite = ConformanceSuite(configuration: .defaults { $0.session.environment = ProcessInfo.processInfo.environment })
/// let report = try await suite.run(try .command("python -m azure_functions_worker"))
/// print(report.table)
/// precondition(report.passed)
/// ```
public struct ConformanceSuite: Sendable {
  /// What to run and how.
  public struct Configuration: Sendable {
    /// Timeouts, limits and the worker environment.
    public var session: ConformanceSession.Configuration = .defaults
    /// Only these scenario names (nil: all).
    public var only: Set<String>? = nil
    /// A function app of the user's own; adds the `user-app` scenario.
    public var userApp: String? = nil
    /// Where the fixture apps are written (nil: a fresh temporary folder, removed afterwards).
    public var fixtureDirectory: String? = nil

    /// The defaults.
    public static var defaults: Configuration { Configuration() }
    /// The defaults, changed by `configure`.
    public static func defaults(_ configure: (inout Configuration) -> Void) -> Configuration {
      var c = Configuration()
      configure(&c)
      return c
    }
  }

  /// Every built-in scenario, in run order.
  public static let builtInScenarios: [ConformanceScenario] =
    [.startStream, .workerInit, .workerStatus, .functionsMetadata, .workerIndexing, .functionLoad]
    + ConformanceScenario.invocationKinds
    + [
      .invokeHTTP, .outputBindings, .invocationLogs, .concurrentInvocations, .largeMessages, .unknownMessage,
      .invocationCancel, .workerTerminate, .environmentReload, .httpProxy, .httpProxyTCP,
    ]

  /// The configuration.
  public var configuration: Configuration
  /// The scenarios this suite runs (built-ins, plus ``ConformanceScenario/userApp`` when a user app is set).
  public var scenarios: [ConformanceScenario]

  /// Creates a suite with the built-in scenarios (filtered by `configuration.only`).
  ///
  /// - Throws: ``ConformanceError`` `.configuration` when `only` names an unknown scenario.
  public init(configuration: Configuration = .defaults, extraScenarios: [ConformanceScenario] = []) throws {
    self.configuration = configuration
    var all = Self.builtInScenarios + extraScenarios
    if configuration.userApp != nil { all.append(.userApp) }
    if let only = configuration.only {
      let known = Set(all.map(\.name))
      let unknown = only.subtracting(known)
      guard unknown.isEmpty else {
        throw ConformanceError(
          code: .configuration,
          message: "unknown scenario \(unknown.sorted().joined(separator: ", ")); known: \(all.map(\.name).joined(separator: ", "))")
      }
      all = all.filter { only.contains($0.name) }
    }
    self.scenarios = all
  }

  /// Runs every scenario in order, each against a fresh worker; `progress` sees each result as it comes.
  ///
  /// - Throws: ``ConformanceError`` `.fixture` when the fixture apps cannot be written. Worker misbehaviour
  ///   is never thrown: it is a failed result.
  public func run(
    _ worker: WorkerUnderTest, progress: (@Sendable (ScenarioResult) -> Void)? = nil
  ) async throws -> ConformanceReport {
    let directory = configuration.fixtureDirectory
      ?? FileManager.default.temporaryDirectory.appendingPathComponent("functions-conformance-\(UUID().uuidString)").path
    let apps = try ConformanceFixtures.materialize(into: directory)
    defer { if configuration.fixtureDirectory == nil { try? FileManager.default.removeItem(atPath: directory) } }
    let started = ContinuousClock.now
    var results: [ScenarioResult] = []
    for scenario in scenarios {
      let result = await run(scenario, worker: worker, apps: apps)
      progress?(result)
      results.append(result)
    }
    return ConformanceReport(worker: worker.name, results: results, seconds: (ContinuousClock.now - started).seconds)
  }

  /// Runs one scenario against a fresh worker.
  public func run(_ scenario: ConformanceScenario, worker: WorkerUnderTest, apps: ConformanceFixtures.Apps) async
    -> ScenarioResult
  {
    let appDirectory: String
    switch scenario.app {
    case .classic: appDirectory = apps.classic
    case .decorated: appDirectory = apps.decorated
    case .streaming: appDirectory = apps.streaming
    case .user: appDirectory = configuration.userApp ?? apps.classic
    }
    let start = ContinuousClock.now
    let status: ScenarioResult.Status
    let message: String
    var socketDirectory: String? = nil
    defer { if let socketDirectory { try? FileManager.default.removeItem(atPath: socketDirectory) } }
    do {
      var session = configuration.session
      session.environment.merge(scenario.launchEnvironment) { _, scenario in scenario }
      var offered: String? = nil
      if scenario.offersHTTPSocket {
        let directory = try HTTPSocketDirectory.make()
        socketDirectory = directory
        offered = directory + "/h.sock"
        session.environment[HTTPSocketDirectory.environmentVariable] = directory + "/h.sock"
      }
      let note = try await ConformanceSession.run(
        worker: worker, appDirectory: appDirectory, configuration: session
      ) { [offered] session in
        try await scenario.body(.init(session: session, apps: apps, offeredHTTPSocket: offered))
      }
      status = .passed
      message = note ?? ""
    } catch let skip as ScenarioSkip {
      status = .skipped
      message = skip.reason
    } catch let failure as ScenarioFailure {
      status = .failed
      message = failure.message
    } catch {
      status = .failed
      message = "\(error)"
    }
    configuration.session.logger.debug("scenario \(scenario.name): \(status.rawValue) \(message)")
    return ScenarioResult(
      name: scenario.name, summary: scenario.summary, status: status, message: message,
      seconds: (ContinuousClock.now - start).seconds)
  }
}
