internal import Foundation
internal import FunctionsHostCore
internal import FunctionsRPC
internal import SwiftProtobuf

extension FunctionValue {
  /// The wire form.
  var typedData: AzureFunctionsRpcMessages_TypedData {
    var data = AzureFunctionsRpcMessages_TypedData()
    switch self {
    case .text(let text): data.string = text
    case .bytes(let bytes): data.bytes = Data(bytes)
    case .json(let text): data.json = text
    }
    return data
  }

  /// The plain value of a wire value; `nil` for `none`. Numbers and collections become JSON; an HTTP
  /// output becomes its body.
  init?(_ data: AzureFunctionsRpcMessages_TypedData) {
    switch data.data {
    case .none: return nil
    case .string(let text): self = .text(text)
    case .json(let text): self = .json(text)
    case .bytes(let bytes), .stream(let bytes): self = .bytes(Array(bytes))
    case .int(let value): self = .json(String(value))
    case .double(let value): self = .json(Self.jsonNumber(value))
    case .http(let http):
      guard let body = FunctionValue(http.body) else { return nil }
      self = body
    case .collectionBytes(let c): self = .json(Self.jsonArray(c.bytes.map { Self.jsonString(Data($0).base64EncodedString()) }))
    case .collectionString(let c): self = .json(Self.jsonArray(c.string.map(Self.jsonString)))
    case .collectionDouble(let c): self = .json(Self.jsonArray(c.double.map(Self.jsonNumber)))
    case .collectionSint64(let c): self = .json(Self.jsonArray(c.sint64.map { String($0) }))
    default: return nil
    }
  }

  /// The result of a host invocation.
  static func result(of output: InvocationOutput) -> FunctionResult {
    var outputs: [String: FunctionValue] = [:]
    for (name, value) in output.outputData {
      if let plain = FunctionValue(value) { outputs[name] = plain }
    }
    return FunctionResult(
      invocationID: output.invocationID, returnValue: output.returnValue.flatMap { FunctionValue($0) },
      outputs: outputs)
  }

  private static func jsonArray(_ items: [String]) -> String { "[" + items.joined(separator: ",") + "]" }

  private static func jsonNumber(_ value: Double) -> String {
    value.isFinite ? (value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)) : "null"
  }

  private static func jsonString(_ text: String) -> String {
    let data = (try? JSONEncoder().encode(text)) ?? Data("\"\"".utf8)
    return String(decoding: data, as: UTF8.self)
  }
}
