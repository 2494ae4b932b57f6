package import FunctionsHostCore
package import FunctionsRPC

/// One entry of a trigger's binding data: what binding expressions (`{id}`, `{Query.name}`) resolve
/// against, and what the host sends to the worker as `trigger_metadata`.
///
/// It mirrors the two kinds of value the stock host keeps there for storage triggers: .NET strings
/// (sent as `TypedData.string`) and everything else, which the stock host JSON-serializes (sent as
/// `TypedData.json`): numbers, dates (as JSON strings), URIs, objects.
package enum BindingDataValue: Sendable, Hashable {
  /// A string, sent as `TypedData.string`.
  case string(String)
  /// Any JSON value, sent as `TypedData.json` (compact text).
  case json(JSONValue)

  /// The protocol form: `string` for `.string`, `json` (compact text) for `.json`.
  package var typedData: AzureFunctionsRpcMessages_TypedData {
    var data = AzureFunctionsRpcMessages_TypedData()
    switch self {
    case .string(let s): data.string = s
    case .json(let v): data.json = v.jsonText
    }
    return data
  }
}

extension Dictionary where Key == String, Value == BindingDataValue {
  /// The value for `key`, matched exactly first and then ignoring case (binding data keys are
  /// case-insensitive in the stock host).
  package func value(forKeyIgnoringCase key: String) -> BindingDataValue? {
    if let exact = self[key] { return exact }
    let lower = key.lowercased()
    return first { $0.key.lowercased() == lower }?.value
  }

  /// Sets `value` for `key` the way a case-insensitive .NET dictionary does: when a key that
  /// differs only in case exists, it keeps its original spelling and takes the new value.
  package mutating func setIgnoringCase(_ key: String, _ value: BindingDataValue) {
    if self[key] != nil {
      self[key] = value
      return
    }
    let lower = key.lowercased()
    if let existing = keys.first(where: { $0.lowercased() == lower }) {
      self[existing] = value
    } else {
      self[key] = value
    }
  }

  /// The protocol form of every entry, for `InvocationRequest.trigger_metadata`.
  package var triggerMetadata: [String: AzureFunctionsRpcMessages_TypedData] {
    mapValues(\.typedData)
  }
}
