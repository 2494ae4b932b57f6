internal import Foundation
internal import FunctionsHostCore
internal import FunctionsRPC

/// Trigger metadata (as sent to the worker) back to binding data (for binding expressions): every
/// trigger — HTTP, queue, blob, timer, or a manual `invoke` — contributes its values the same way.
enum BindingDataConversion {
  /// `string` entries as strings, `json` entries parsed (kept as text when they do not parse); other
  /// kinds carry nothing an expression can use.
  static func bindingData(from metadata: [String: AzureFunctionsRpcMessages_TypedData]) -> [String: BindingDataValue] {
    var result: [String: BindingDataValue] = [:]
    result.reserveCapacity(metadata.count)
    for (key, value) in metadata {
      switch value.data {
      case .string(let s)?: result[key] = .string(s)
      case .json(let text)?:
        if let parsed = try? JSONValue.parse(Data(text.utf8)) {
          result[key] = .json(parsed)
        } else {
          result[key] = .string(text)
        }
      default: continue
      }
    }
    return result
  }
}
