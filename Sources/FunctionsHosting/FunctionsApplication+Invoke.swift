internal import Foundation
internal import FunctionsHostCore
internal import FunctionsObservability
internal import FunctionsTriggers

extension FunctionsApplication {
  /// Calls a function in-process with plain values and returns its outputs as plain values.
  ///
  /// The trigger value arrives as a trigger would send it: for a queue trigger as a message body (with the
  /// message's metadata, so `{id}` in an output path reads the JSON message's `id`), for a timer trigger
  /// as `TimerInfo` (pass `nil`), otherwise as given. Storage outputs are also written to the store. Use
  /// ``respond(to:body:)`` for HTTP-triggered functions.
  ///
  /// ```swift
  /// let result = try await application.invoke("store_order", trigger: try FunctionValue(json: order))
  /// let receipt = try result.outputs["receipt"]?.decode(Receipt.self)
  /// ```
  ///
  /// - Parameters:
  ///   - function: the function's name (case-insensitive).
  ///   - trigger: the trigger value; `nil` for a timer trigger (or a function that ignores it).
  ///   - inputs: values of other input bindings, by binding name.
  /// - Throws: ``FunctionsHostError``: `.functionNotFound`, `.functionFailed` with the worker's
  ///   exception in `exception`, `.bindingFailed`, `.configuration` for an HTTP trigger.
  public func invoke(
    _ function: String, trigger: FunctionValue? = nil, inputs: [String: FunctionValue] = [:]
  ) async throws -> FunctionResult {
    let parts = try await readyParts()
    guard let metadata = parts.bindings.function(named: function) else {
      throw FunctionsHostError(code: .functionNotFound, message: "no function named '\(function)'")
    }
    let input = try InvocationInputBuilder.input(for: metadata, trigger: trigger, inputs: inputs, now: Date())
    return FunctionValue.result(of: try await parts.dispatcher.invoke(input))
  }

  /// Runs a timer-triggered function now, as its schedule would (not past due); its outputs are written
  /// to the store and returned.
  ///
  /// - Throws: ``FunctionsHostError``: `.functionNotFound`, `.configuration` when it is not a timer
  ///   function, or what the invocation throws.
  @discardableResult
  public func runTimer(_ function: String) async throws -> FunctionResult {
    let parts = try await readyParts()
    guard let metadata = parts.bindings.function(named: function) else {
      throw FunctionsHostError(code: .functionNotFound, message: "no function named '\(function)'")
    }
    guard metadata.trigger?.type.lowercased() == "timertrigger" else {
      throw FunctionsHostError(code: .configuration, message: "function '\(metadata.name)' is not timer-triggered")
    }
    return try await invoke(metadata.name)
  }
}
