import FunctionsRPC

extension AzureFunctionsRpcMessages_TypedData {
  /// A TypedData holding `data` (nothing when `nil`).
  static func holding(_ data: OneOf_Data?) -> Self {
    var typed = Self()
    typed.data = data
    return typed
  }
}
