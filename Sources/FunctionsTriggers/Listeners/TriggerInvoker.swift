internal import Foundation
internal import FunctionsHostCore
internal import FunctionsRPC
internal import FunctionsStorage
internal import Logging

/// Builds the invocation of a storage-triggered function (trigger value and metadata exactly as the
/// stock host sends them) and runs it through the binding dispatcher, so its input bindings are read
/// and its output bindings written before the trigger message is settled.
struct TriggerInvoker: Sendable {
  let dispatcher: any InvocationDispatching
  let logger: Logger
  let now: @Sendable () -> Date

  /// A queue-triggered run; `body` is the decoded message body.
  func queueTriggered(function: FunctionMetadata, trigger: BindingMetadata, message: QueueMessage, body: [UInt8])
    async -> Bool
  {
    let data = QueueTriggerMetadata.make(
      message: message, decodedBody: body, methodName: function.name, now: now(), randGuid: Self.guid(),
      dataType: trigger.dataType)
    let value = QueueTriggerInput.typedData(decodedBody: body, dataType: trigger.dataType)
    return await run(
      function, trigger: trigger, value: value, metadata: data.triggerMetadata,
      describing: "queue '\(message.queue)' message \(message.id), dequeue count \(message.dequeueCount)")
  }

  /// A blob-triggered run.
  func blobTriggered(
    function: FunctionMetadata, trigger: BindingMetadata, properties: BlobProperties, content: [UInt8],
    captures: [String: String], uri: String
  ) async -> Bool {
    let data = BlobTriggerMetadata.make(
      properties: properties, uri: uri, captures: captures, methodName: function.name, now: now(),
      randGuid: Self.guid())
    return await run(
      function, trigger: trigger, value: BlobInputValue.triggerValue(content: content),
      metadata: data.triggerMetadata,
      describing: "blob '\(properties.container)/\(properties.name)' (ETag \(properties.etag))")
  }

  /// A timer-triggered run.
  func timerTriggered(function: FunctionMetadata, trigger: BindingMetadata, isPastDue: Bool, previous: ScheduleStatus?)
    async -> Bool
  {
    let data = TimerTriggerPayload.metadata(methodName: function.name, now: now(), randGuid: Self.guid())
    return await run(
      function, trigger: trigger, value: TimerTriggerPayload.make(isPastDue: isPastDue, status: previous),
      metadata: data.triggerMetadata, describing: isPastDue ? "timer (past due)" : "timer")
  }

  private func run(
    _ function: FunctionMetadata, trigger: BindingMetadata, value: AzureFunctionsRpcMessages_TypedData,
    metadata: [String: AzureFunctionsRpcMessages_TypedData], describing what: String
  ) async -> Bool {
    var binding = AzureFunctionsRpcMessages_ParameterBinding()
    binding.name = trigger.name
    binding.data = value
    let input = InvocationInput(functionName: function.name, inputData: [binding], triggerMetadata: metadata)
    do {
      let output = try await dispatcher.invoke(input)
      logger.debug("executed '\(function.name)' (\(what)): succeeded, invocation \(output.invocationID)")
      return true
    } catch let error as FunctionsHostError {
      let id = error.invocationID.map { ", invocation \($0)" } ?? ""
      logger.error("executed '\(function.name)' (\(what)\(id)): failed: \(error.message)")
      return false
    } catch {
      logger.error("executed '\(function.name)' (\(what)): failed: \(error)")
      return false
    }
  }

  private static func guid() -> String { UUID().uuidString.lowercased() }
}
