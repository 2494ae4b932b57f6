package import FunctionsRPC

/// What a trigger contributes to an invocation: the protocol `trigger_metadata` and the binding data
/// that other bindings' expressions resolve against. Both have the same keys.
///
/// They are kept side by side (rather than deriving one from the other) because a few entries have a
/// fixed member order on the wire (`sys`, blob `Properties`) that a ``BindingDataValue`` does not keep.
package struct TriggerBindingData: Sendable {
  /// `InvocationRequest.trigger_metadata`: only `string` and `json` values (never `int`/`double`,
  /// which the Python worker rejects).
  package var triggerMetadata: [String: AzureFunctionsRpcMessages_TypedData]
  /// The binding data, for ``BindingTemplate`` resolution; look keys up ignoring case.
  package var bindingData: [String: BindingDataValue]

  /// Empty metadata.
  package init() {
    triggerMetadata = [:]
    bindingData = [:]
  }

  /// Sets an entry in both dictionaries, ignoring case as the stock dictionary does: an existing key
  /// that differs only in case keeps its spelling and takes the new value.
  package mutating func set(_ key: String, _ value: BindingDataValue, wire: AzureFunctionsRpcMessages_TypedData? = nil) {
    bindingData.setIgnoringCase(key, value)
    let spelled = bindingData.keys.first { $0.lowercased() == key.lowercased() } ?? key
    triggerMetadata[spelled] = wire ?? value.typedData
  }

  /// Adds `sys` (the ordered JSON text on the wire).
  package mutating func setSystem(_ sys: SystemBindingData) {
    var wire = AzureFunctionsRpcMessages_TypedData()
    wire.json = sys.jsonText
    set("sys", sys.bindingDataValue, wire: wire)
  }

  /// Applies the stock `ApplyBindingData` rule to a string trigger value (see
  /// ``JSONBodyBindingData``): a JSON object's top-level properties overwrite entries, ignoring case.
  package mutating func applyJSONBody(_ text: String) {
    for entry in JSONBodyBindingData.properties(of: text) {
      var wire: AzureFunctionsRpcMessages_TypedData?
      if let json = entry.wireJSON {
        wire = AzureFunctionsRpcMessages_TypedData()
        wire?.json = json
      }
      set(entry.key, entry.value, wire: wire)
    }
  }
}
