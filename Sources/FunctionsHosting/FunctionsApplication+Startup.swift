internal import Foundation
internal import FunctionsHostCore
internal import FunctionsHostHTTP
internal import FunctionsStorageEndpoints
internal import FunctionsTriggers
internal import ServiceLifecycle
internal import Synchronization

extension FunctionsApplication {
  /// Waits for the host (and the front door), refuses duplicate routes, completes the keys, and
  /// publishes the readiness report; a failed check stops the application.
  func checkStartup(_ parts: ApplicationParts, group: ServiceGroup) async {
    let address: HTTPFrontDoor.ListeningAddress?
    let report: StartupReport
    do {
      address = configuration.http == nil ? nil : try await parts.frontDoor.listeningAddress
      report = try await parts.host.waitForStartup()
    } catch {
      return  // the group ends with the error; `run()` reports it
    }
    let routePrefix = parts.app.hostJSON.routePrefix
    // Two functions on one route: refuse to start rather than serve one of them.
    let duplicates = HTTPFrontDoor.routeProblems(in: report.functions, routePrefix: routePrefix)
      .filter { $0.kind == .duplicateRoute }
    var created: [FunctionKeys.Entry] = []
    var failure: FunctionsHostError? = nil
    if !duplicates.isEmpty {
      failure = FunctionsHostError(
        code: .configuration, message: duplicates.map(\.message).joined(separator: "\nstart-up failed: "))
    } else if let keys = parts.keys {
      do { created = try await keys.completed(for: report.functions, frontDoor: parts.frontDoor) } catch {
        failure = (error as? FunctionsHostError)
          ?? FunctionsHostError(code: .configuration, message: "cannot read or write the function keys: \(error)", cause: error)
      }
    }
    if let failure {
      checkFailure.withLock { $0 = failure }
      readiness.complete(.failure(failure))
      await group.triggerGracefulShutdown()
      return
    }
    let (bindingErrors, warnings) = parts.bindings.problems(in: report.functions)
    var nextRuns: [String: Date] = [:]
    for function in report.functions {
      if case .timer(let plan) = parts.bindings.plan(for: function).trigger,
        let next = plan.schedule.next(after: Date(), in: plan.timeZone)
      {
        nextRuns[function.name] = next
      }
    }
    var storage = StorageReadiness(storePath: parts.storePath)
    if let endpoints = parts.endpoints, let blob = try? await endpoints.blobEndpoint,
      let queue = try? await endpoints.queueEndpoint, let connection = try? await endpoints.connectionString
    {
      storage.blobEndpoint = blob
      storage.queueEndpoint = queue
      storage.connectionString = connection
    }
    readiness.complete(.success(
      Readiness(
        functions: report.functions, indexingErrors: report.indexingErrors, loadErrors: report.loadErrors,
        bindingErrors: bindingErrors, warnings: warnings, readyWorkers: report.readyWorkers,
        httpAddress: address, routePrefix: routePrefix, cors: parts.cors, storage: storage,
        keysFile: parts.keys?.repository.location, createdKeys: created, nextTimerRuns: nextRuns)))
  }
}
