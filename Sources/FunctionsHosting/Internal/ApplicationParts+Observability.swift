internal import Foundation
internal import FunctionsHostCore
internal import FunctionsHostHTTP
internal import FunctionsObservability
internal import FunctionsRPC
internal import FunctionsStorage
internal import FunctionsTriggers
internal import Logging

/// The store readings and the run-by-hand of the operator endpoints.
enum ApplicationObservability {
  /// Depth, oldest message age and poison count of each queue trigger's queue; each timer's last and
  /// next run. A queue or timer the store cannot read is left out (and logged at debug level).
  static func storageGauges(
    functions: [FunctionMetadata], bindings: BindingDispatcher, store: any FunctionsStore, logger: Logger
  ) async -> StorageGauges {
    var gauges = StorageGauges()
    for function in functions where !function.isDisabled {
      switch bindings.plan(for: function).trigger {
      case .queue(let name):
        do {
          let depth = try await store.queueInfo(name)?.approximateMessageCount ?? 0
          let age = try await store.oldestVisibleMessageAge(queue: name)
          let poison = try await store.queueInfo(name + "-poison")?.approximateMessageCount ?? 0
          gauges.queues.append(
            .init(
              function: function.name, queue: name, depth: depth,
              oldestAgeSeconds: age.map { Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18 },
              poison: poison))
        } catch {
          logger.debug("metrics: cannot read queue '\(name)': \(error)")
        }
      case .timer:
        do {
          let status = try await store.scheduleStatus(timer: "Host.Functions.\(function.name)")
          let last = status.map(\.last).flatMap { $0.timeIntervalSince1970 > 0 ? $0.timeIntervalSince1970 : nil }
          gauges.timers.append(.init(function: function.name, lastRun: last, nextRun: status?.next.timeIntervalSince1970))
        } catch {
          logger.debug("metrics: cannot read the schedule of '\(function.name)': \(error)")
        }
      default:
        break
      }
    }
    return gauges
  }

  /// The input of a by-hand run, as the stock host makes it: the message body for a queue trigger, the
  /// timer payload for a timer trigger, the blob at `container/name` for a blob trigger, the text otherwise.
  ///
  /// - Throws: ``FunctionsHostError`` `.configuration` naming the problem (an HTTP trigger, a missing blob).
  static func input(
    for function: FunctionMetadata, text: String, store: any FunctionsStore, blobEndpoint: String
  ) async throws -> InvocationInput {
    let type = function.trigger?.type.lowercased() ?? ""
    switch type {
    case "httptrigger":
      throw FunctionsHostError(
        code: .configuration, message: "function '\(function.name)' is HTTP-triggered: call its URL instead")
    case "timertrigger":
      return try InvocationInputBuilder.input(for: function, trigger: nil, inputs: [:], now: Date())
    case "blobtrigger":
      let path = text.drop { $0 == "/" }
      guard let slash = path.firstIndex(of: "/"), slash != path.index(before: path.endIndex) else {
        throw FunctionsHostError(
          code: .configuration, message: "input '\(text)' is not a blob path; expected <container>/<blob name>")
      }
      let container = String(path[..<slash])
      let name = String(path[path.index(after: slash)...])
      let download: BlobDownload
      do {
        download = try await store.readBlob(container: container, name: name, range: nil, conditions: .none)
      } catch let error as StorageError where [.blobNotFound, .containerNotFound].contains(error.code) {
        throw FunctionsHostError(code: .configuration, message: "no blob '\(container)/\(name)' in the store")
      }
      var bytes: [UInt8] = []
      for try await chunk in download.chunks { bytes += chunk }
      let now = Date()
      let metadata = BlobTriggerMetadata.make(
        properties: download.properties, uri: "\(blobEndpoint)/\(container)/\(name)", captures: [:],
        methodName: function.name, now: now, randGuid: UUID().uuidString.lowercased())
      var binding = AzureFunctionsRpcMessages_ParameterBinding()
      binding.name = function.trigger?.name ?? "blob"
      binding.data = FunctionValue.bytes(bytes).typedData
      return InvocationInput(functionName: function.name, inputData: [binding], triggerMetadata: metadata.triggerMetadata)
    default:
      return try InvocationInputBuilder.input(for: function, trigger: .text(text), inputs: [:], now: Date())
    }
  }
}
