internal import Foundation
package import FunctionsHostCore
public import Logging
public import ServiceLifecycle
internal import Synchronization
public import UnixSignals

/// A Python function app served from Swift: its workers, storage triggers and bindings, the
/// Azure-compatible storage endpoints and the HTTP front door, in one `Service` — what
/// `functions-host start` runs.
///
/// Run it in your own `ServiceGroup`, or standalone with ``runService(gracefulShutdownSignals:)``.
/// Call its functions over HTTP, or in-process with ``respond(to:body:)`` and ``invoke(_:trigger:inputs:)``;
/// reach its store with ``sendQueueMessage(_:to:encoding:)``, ``putBlob(_:container:name:)`` and
/// ``blob(container:name:)``.
///
/// ```swift
/// let application = FunctionsApplication(
///   appFolder: "Examples/hello",
///   configuration: .defaults { $0.http = .init(port: 8080) },
///   logger: Logger(label: "hello"))
/// try await application.runService()
/// ```
public final class FunctionsApplication: Service, Sendable {
  /// The app folder (holds host.json).
  public let appFolder: String
  /// The configuration the application was created with.
  public let configuration: Configuration
  let logger: Logger
  private let parts = Mutex<ApplicationParts?>(nil)
  let readiness = OnceValue<Readiness>()
  /// Set when a start-up check (duplicate routes, keys file) stopped the application.
  let checkFailure = Mutex<FunctionsHostError?>(nil)

  /// Creates an application; nothing starts until ``run()``.
  ///
  /// - Parameters:
  ///   - appFolder: the function app folder (holds host.json).
  ///   - configuration: workers, HTTP, storage, keys; see ``Configuration``.
  ///   - logger: receives the host's, workers' and front door's logs, and start-up progress.
  public init(appFolder: String, configuration: Configuration = .defaults, logger: Logger) {
    self.appFolder = appFolder
    self.configuration = configuration
    self.logger = logger
  }

  /// Loads the app, prepares its worker, starts every service and serves until graceful shutdown.
  ///
  /// - Throws: ``FunctionsHostError`` `.configuration` when the app, its worker, store or keys cannot be
  ///   used, or a start-up check failed (two functions on one route); whatever a service throws.
  public func run() async throws {
    let parts: ApplicationParts
    do {
      parts = try await ApplicationParts.make(scriptRoot: appFolder, configuration: configuration, logger: logger)
    } catch {
      readiness.complete(.failure(error))
      throw error
    }
    defer { parts.close() }
    self.parts.withLock { $0 = parts }
    let group = ServiceGroup(
      configuration: .init(services: parts.services, gracefulShutdownSignals: [], logger: logger))
    do {
      try await withThrowingTaskGroup(of: Bool.self) { tasks in
        tasks.addTask {
          try await group.run()
          return true
        }
        tasks.addTask {
          await self.checkStartup(parts, group: group)
          return false
        }
        while let groupEnded = try await tasks.next() {
          if groupEnded { tasks.cancelAll() }
        }
      }
    } catch {
      readiness.complete(.failure(error))
      throw error
    }
    readiness.complete(
      .failure(FunctionsHostError(code: .shuttingDown, message: "the application stopped before it was ready")))
    if let failure = checkFailure.withLock({ $0 }) { throw failure }
  }

  /// Runs the application as the only service of a group that shuts down gracefully on `signals`.
  public func runService(gracefulShutdownSignals signals: [UnixSignal] = [.sigterm, .sigint]) async throws {
    let group = ServiceGroup(
      configuration: .init(
        services: [.init(service: self)], gracefulShutdownSignals: signals, logger: logger))
    try await group.run()
  }

  /// Waits until the workers started (or failed their first start) and the start-up checks passed.
  ///
  /// - Throws: ``FunctionsHostError`` when the application could not start, or stopped first.
  public func waitUntilReady() async throws -> Readiness {
    try await readiness.value()
  }

  /// The running parts, once ready.
  func readyParts() async throws -> ApplicationParts {
    _ = try await waitUntilReady()
    guard let parts = parts.withLock({ $0 }) else {
      throw FunctionsHostError(code: .internalError, message: "the application is ready but has no parts")
    }
    return parts
  }

  /// The failed start-up check (`start-up failed: …` in `functions-host start`), if one stopped the
  /// application.
  package var startupCheckFailure: FunctionsHostError? { checkFailure.withLock { $0 } }
}
