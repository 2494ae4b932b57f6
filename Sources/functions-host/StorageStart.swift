internal import Foundation
internal import FunctionsHostCore
internal import FunctionsHosting

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

  init(_ ready: FunctionsApplication.Readiness) {
    errors = ready.bindingErrors
    warnings = ready.warnings
    nextRuns = ready.nextTimerRuns
    let storage = ready.storage
    let storePath = storage.storePath ?? ""
    if let blob = storage.blobEndpoint, let queue = storage.queueEndpoint, let connection = storage.connectionString {
      // One machine-readable line (tests and scripts wait for it), then the connection string to copy.
      endpointsText =
        "\nStorage: blob=\(blob) queue=\(queue) store=\(storePath)\n"
        + "\tconnection string: \(connection)\n"
    } else {
      endpointsText = "\nStorage: store=\(storePath) (no Blob/Queue endpoints)\n"
    }
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
