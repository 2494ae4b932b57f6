internal import Foundation
internal import FunctionsHostCore
internal import FunctionsRPC
internal import FunctionsStorage
internal import FunctionsTriggers

/// Builds an invocation from plain values, with trigger metadata as the listeners make it.
enum InvocationInputBuilder {
  static func input(
    for function: FunctionMetadata, trigger value: FunctionValue?, inputs: [String: FunctionValue], now: Date
  ) throws -> InvocationInput {
    let guid = UUID().uuidString.lowercased()
    let sys = SystemBindingData(methodName: function.name, utcNow: now, randGuid: guid)
    var bindings: [AzureFunctionsRpcMessages_ParameterBinding] = []
    var metadata = TriggerBindingData()
    metadata.setSystem(sys)
    if let trigger = function.trigger {
      var data: AzureFunctionsRpcMessages_TypedData? = value?.typedData
      switch trigger.type.lowercased() {
      case "httptrigger":
        throw FunctionsHostError(
          code: .configuration,
          message: "function '\(function.name)' is HTTP-triggered: call it with respond(to:body:)")
      case "queuetrigger":
        let body = value?.bytes ?? []
        let message = QueueMessage(
          id: guid, queue: trigger.property("queueName")?.stringValue ?? "", body: body, insertionTime: now,
          expirationTime: now.addingTimeInterval(7 * 86_400), nextVisibleTime: now, dequeueCount: 1,
          popReceipt: nil)
        metadata = QueueTriggerMetadata.make(message: message, decodedBody: body, dataType: trigger.dataType, sys: sys)
        data = QueueTriggerInput.typedData(decodedBody: body, dataType: trigger.dataType)
      case "timertrigger":
        if value == nil { data = TimerTriggerPayload.make(isPastDue: false, status: nil) }
      default:
        if let text = value?.text { metadata.applyJSONBody(text) }
      }
      if let data {
        var binding = AzureFunctionsRpcMessages_ParameterBinding()
        binding.name = trigger.name
        binding.data = data
        bindings.append(binding)
      }
    }
    for (name, value) in inputs.sorted(by: { $0.key < $1.key }) {
      var binding = AzureFunctionsRpcMessages_ParameterBinding()
      binding.name = name
      binding.data = value.typedData
      bindings.append(binding)
    }
    return InvocationInput(functionName: function.name, inputData: bindings, triggerMetadata: metadata.triggerMetadata)
  }
}
