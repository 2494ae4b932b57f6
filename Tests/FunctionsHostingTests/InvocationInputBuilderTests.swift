import Foundation
import FunctionsHostCore
import FunctionsRPC
import Testing

@testable import FunctionsHosting

@Suite struct InvocationInputBuilderTests {
  static func function(_ trigger: String, properties: [String: JSONValue] = [:], dataType: String? = nil)
    -> FunctionMetadata
  {
    FunctionMetadata(
      name: "f", functionID: "id-f", directory: "/app/f", scriptFile: "__init__.py",
      bindings: [
        BindingMetadata(name: "trig", type: trigger, direction: .in, dataType: dataType, properties: properties),
        BindingMetadata(name: "out", type: "queue", direction: .out),
      ])
  }

  @Test func queueTriggerLooksLikeAMessage() throws {
    let input = try InvocationInputBuilder.input(
      for: Self.function("queueTrigger", properties: ["queueName": .string("orders")]),
      trigger: .json(#"{"id":"42"}"#), inputs: ["extra": .text("x")], now: Date())
    #expect(input.functionName == "f")
    #expect(input.inputData.map(\.name) == ["trig", "extra"])
    #expect(input.inputData[0].data.string == #"{"id":"42"}"#)
    #expect(input.inputData[1].data.string == "x")
    #expect(input.triggerMetadata["DequeueCount"]?.json == "1")
    // The JSON body's properties overwrite entries ignoring case, as the stock host: `id` → `Id`.
    #expect(input.triggerMetadata["Id"]?.string == "42")
    #expect(input.triggerMetadata["sys"] != nil)
  }

  @Test func binaryQueueTriggerGetsBytes() throws {
    let input = try InvocationInputBuilder.input(
      for: Self.function("queueTrigger", dataType: "binary"), trigger: .bytes([1, 2]), inputs: [:], now: Date())
    #expect(input.inputData[0].data.bytes == Data([1, 2]))
  }

  @Test func timerTriggerWithoutAValueGetsTimerInfo() throws {
    let input = try InvocationInputBuilder.input(
      for: Self.function("timerTrigger"), trigger: nil, inputs: [:], now: Date())
    #expect(input.inputData[0].data.json.contains(#""IsPastDue":false"#))
  }

  @Test func httpTriggerIsRefused() {
    #expect(throws: FunctionsHostError.self) {
      try InvocationInputBuilder.input(for: Self.function("httpTrigger"), trigger: nil, inputs: [:], now: Date())
    }
  }

  @Test func otherTriggersPassTheValueAndItsJSONProperties() throws {
    let input = try InvocationInputBuilder.input(
      for: Self.function("eventHubTrigger"), trigger: .json(#"{"name":"n"}"#), inputs: [:], now: Date())
    #expect(input.inputData[0].data.json == #"{"name":"n"}"#)
    #expect(input.triggerMetadata["name"]?.string == "n")
  }
}
