internal import FunctionsRPC

extension AzureFunctionsRpcMessages_TypedData.OneOf_Data? {
  /// The protocol name of the value's kind (`string`, `json`, `bytes`, …, or `empty`), for messages.
  var kindName: String {
    switch self {
    case nil: "empty"
    case .string: "string"
    case .json: "json"
    case .bytes: "bytes"
    case .stream: "stream"
    case .http: "http"
    case .int: "int"
    case .double: "double"
    case .collectionBytes: "collection_bytes"
    case .collectionString: "collection_string"
    case .collectionDouble: "collection_double"
    case .collectionSint64: "collection_sint64"
    case .modelBindingData: "model_binding_data"
    case .collectionModelBindingData: "collection_model_binding_data"
    }
  }
}

/// Text of a `double` as the host writes it: integral values without a fraction (`2`), others in
/// Swift's shortest round-trip form (`1.5`).
func doubleText(_ d: Double) -> String {
  if d.rounded() == d, abs(d) < 1e15 { return String(Int64(d)) }
  return String(d)
}
