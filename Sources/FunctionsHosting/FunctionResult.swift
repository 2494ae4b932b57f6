/// What a function returned: its return value and its named outputs, as plain values.
///
/// Outputs bound to storage (queue messages, blobs) are also written to the store, as when a trigger
/// ran the function.
///
/// ```swift
/// let result = try await application.invoke("heartbeat")
/// print(result.outputs["tick"]?.text ?? "no tick")
/// ```
public struct FunctionResult: Sendable, Hashable {
  /// The invocation's id.
  public var invocationID: String
  /// The return value (`$return`), if the function has one.
  public var returnValue: FunctionValue?
  /// The named outputs the function set, by binding name.
  public var outputs: [String: FunctionValue]

  /// Creates a result.
  public init(invocationID: String, returnValue: FunctionValue? = nil, outputs: [String: FunctionValue] = [:]) {
    self.invocationID = invocationID
    self.returnValue = returnValue
    self.outputs = outputs
  }
}
