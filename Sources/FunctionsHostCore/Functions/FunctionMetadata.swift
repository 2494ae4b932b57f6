/// A function of the app: where its code is and how it is bound.
///
/// ```swift
/// let hello = FunctionMetadata(name: "hello", functionID: UUID().uuidString, directory: "/app/hello",
///                              scriptFile: "/app/hello/__init__.py", entryPoint: nil, bindings: [...])
/// ```
public struct FunctionMetadata: Sendable, Hashable {
  /// The function name (its folder name for `function.json` apps).
  public var name: String
  /// The id used on the wire in FunctionLoadRequest and InvocationRequest.
  public var functionID: String
  /// The function's directory (absolute).
  public var directory: String
  /// The script file (absolute).
  public var scriptFile: String
  /// The entry point (`entryPoint`), or `nil` for the language default (`main` in Python).
  public var entryPoint: String?
  /// The bindings, trigger first as declared.
  public var bindings: [BindingMetadata]
  /// Whether the function is disabled (`disabled: true` or `AzureWebJobs.<name>.Disabled`).
  public var isDisabled: Bool
  /// Opaque properties the worker gave at indexing time; echoed back in FunctionLoadRequest.
  public var properties: [String: String]
  /// The function.json (or app file) this came from, for error messages.
  public var sourceFile: String

  /// Creates function metadata.
  public init(
    name: String, functionID: String, directory: String, scriptFile: String,
    entryPoint: String? = nil, bindings: [BindingMetadata], isDisabled: Bool = false,
    properties: [String: String] = [:], sourceFile: String = ""
  ) {
    self.name = name
    self.functionID = functionID
    self.directory = directory
    self.scriptFile = scriptFile
    self.entryPoint = entryPoint
    self.bindings = bindings
    self.isDisabled = isDisabled
    self.properties = properties
    self.sourceFile = sourceFile
  }

  /// The trigger binding, if any.
  public var trigger: BindingMetadata? { bindings.first { $0.isTrigger } }
  /// The HTTP output binding (`type: http`, direction out), if any.
  public var httpOutput: BindingMetadata? {
    bindings.first { $0.direction != .in && $0.type.lowercased() == "http" }
  }
}
