public import FunctionsRPC
internal import Foundation

/// One function of a fixture app: its `function.json` bindings and its Python code.
public struct FixtureFunction: Sendable, Hashable {
  /// One binding of `function.json`.
  public struct Binding: Sendable, Hashable {
    /// Binding name (`$return` for the return value).
    public var name: String
    /// Binding type, e.g. `httpTrigger`.
    public var type: String
    /// `in` or `out`.
    public var direction: String
    /// `string` or `binary`, when set.
    public var dataType: String?
    /// Other properties (`authLevel`, `methods`, …) as JSON-compatible values.
    public var extra: [String: String] = [:]
    /// `methods` of an HTTP trigger.
    public var methods: [String] = []

    /// Creates a binding.
    public init(
      name: String, type: String, direction: String, dataType: String? = nil, extra: [String: String] = [:],
      methods: [String] = []
    ) {
      self.name = name
      self.type = type
      self.direction = direction
      self.dataType = dataType
      self.extra = extra
      self.methods = methods
    }
  }

  /// The function (and folder) name.
  public var name: String
  /// The bindings, trigger first.
  public var bindings: [Binding]
  /// The `__init__.py` source.
  public var code: String

  /// Creates a fixture function.
  public init(name: String, bindings: [Binding], code: String) {
    self.name = name
    self.bindings = bindings
    self.code = code
  }

  /// The trigger binding's name.
  public var triggerName: String { bindings.first { $0.type.hasSuffix("Trigger") }?.name ?? bindings[0].name }

  /// The `function.json` text.
  public var functionJSON: String {
    let list: [[String: Any]] = bindings.map { b in
      var o: [String: Any] = ["name": b.name, "type": b.type, "direction": b.direction]
      if let d = b.dataType { o["dataType"] = d }
      for (k, v) in b.extra { o[k] = v }
      if !b.methods.isEmpty { o["methods"] = b.methods }
      return o
    }
    let object: [String: Any] = ["scriptFile": "__init__.py", "bindings": list]
    let data = (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])) ?? Data()
    return String(decoding: data, as: UTF8.self) + "\n"
  }

  /// The RpcFunctionMetadata a host sends in FunctionLoadRequest for this function in `appDirectory`.
  public func metadata(appDirectory: String) -> AzureFunctionsRpcMessages_RpcFunctionMetadata {
    var m = AzureFunctionsRpcMessages_RpcFunctionMetadata()
    m.name = name
    m.directory = "\(appDirectory)/\(name)"
    m.scriptFile = "\(appDirectory)/\(name)/__init__.py"
    m.entryPoint = "main"
    m.language = "python"
    for b in bindings {
      var info = AzureFunctionsRpcMessages_BindingInfo()
      info.type = b.type
      info.direction = b.direction == "out" ? .out : (b.direction == "inout" ? .inout : .in)
      switch b.dataType {
      case "string": info.dataType = .string
      case "binary": info.dataType = .binary
      case "stream": info.dataType = .stream
      default: info.dataType = .undefined
      }
      m.bindings[b.name] = info
      m.rawBindings.append(rawBinding(b))
    }
    return m
  }

  private func rawBinding(_ b: Binding) -> String {
    var o: [String: Any] = ["name": b.name, "type": b.type, "direction": b.direction]
    if let d = b.dataType { o["dataType"] = d }
    let data = (try? JSONSerialization.data(withJSONObject: o, options: [.sortedKeys])) ?? Data()
    return String(decoding: data, as: UTF8.self)
  }
}
