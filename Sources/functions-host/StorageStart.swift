internal import Foundation
internal import FunctionsHostCore
internal import FunctionsStorageEndpoints
internal import FunctionsTriggers
internal import Logging
internal import ServiceLifecycle

/// The storage part of `start`'s banner: trigger descriptions, binding errors and warnings, endpoints.
struct StorageBanner: Sendable {
  /// Functions whose bindings cannot be served.
  var errors: [FunctionsHostError] = []
  /// Warnings (a connection string naming a real Azure account, …).
  var warnings: [String] = []
  /// The endpoint lines, or a line saying they are off.
  var endpointsText = ""
  /// Next runs of timer functions, by function name.
  var nextRuns: [String: Date] = [:]

  static func make(
    endpoints: StorageEndpoints?, storePath: String, bindings: BindingDispatcher, functions: [FunctionMetadata]
  ) async -> StorageBanner {
    var banner = StorageBanner()
    (banner.errors, banner.warnings) = bindings.problems(in: functions)
    for function in functions {
      if case .timer(let plan) = bindings.plan(for: function).trigger,
        let next = plan.schedule.next(after: Date(), in: plan.timeZone)
      {
        banner.nextRuns[function.name] = next
      }
    }
    if let endpoints, let blob = try? await endpoints.blobEndpoint, let queue = try? await endpoints.queueEndpoint,
      let connection = try? await endpoints.connectionString
    {
      // One machine-readable line (tests and scripts wait for it), then the connection string to copy.
      banner.endpointsText =
        "\nStorage: blob=\(blob) queue=\(queue) store=\(storePath)\n"
        + "\tconnection string: \(connection)\n"
    } else {
      banner.endpointsText = "\nStorage: store=\(storePath) (no Blob/Queue endpoints)\n"
    }
    return banner
  }

  /// `queueTrigger (queue 'orders')`, `blobTrigger (path 'receipts/{name}.json')`, `timerTrigger (schedule …)`.
  func describe(trigger: BindingMetadata, of function: FunctionMetadata) -> String {
    let detail: String?
    switch trigger.type.lowercased() {
    case "queuetrigger": detail = trigger.property("queueName")?.stringValue.map { "queue '\($0)'" }
    case "blobtrigger": detail = trigger.property("path")?.stringValue.map { "path '\($0)'" }
    case "timertrigger":
      let next = nextRuns[function.name].map { ", next run \($0.formatted(.iso8601))" } ?? ""
      detail = trigger.property("schedule")?.stringValue.map { "schedule '\($0)'\(next)" }
    default: detail = nil
    }
    return trigger.type + (detail.map { " (\($0))" } ?? "")
  }
}

/// The storage endpoints as a service of `start`: on the default ports, a port already taken (an Azurite
/// running, say) is logged with the flags to use and the host keeps serving without them (its triggers
/// and bindings still work on the store); on ports given explicitly, it stops the host with the error.
struct OptionalStorageEndpoints: Service {
  let endpoints: StorageEndpoints
  let explicitPorts: Bool
  let logger: Logger

  func run() async throws {
    do {
      try await endpoints.run()
    } catch {
      if explicitPorts || Task.isCancelled { throw error }
      let message =
        "the storage endpoints are not served: \(error). Triggers and bindings still use the store; pass "
        + "--blob-port N --queue-port N (0 picks free ports) to serve them, or --no-storage-endpoints to silence this"
      logger.warning("\(message)")
      try? await gracefulShutdown()
    }
  }
}
