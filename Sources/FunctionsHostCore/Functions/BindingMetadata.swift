/// One binding of a function, as declared in `function.json` or by a decorator.
public struct BindingMetadata: Sendable, Hashable {
  /// The direction of a binding.
  public enum Direction: String, Sendable, Hashable {
    /// An input or trigger.
    case `in`
    /// An output.
    case out
    /// Both.
    case `inout`
  }

  /// The binding name, e.g. `req` or `$return`.
  public var name: String
  /// The binding type, e.g. `httpTrigger`, `http`, `queue`.
  public var type: String
  /// The direction.
  public var direction: Direction
  /// `dataType` (`string`, `binary`, `stream`), if declared.
  public var dataType: String?
  /// Every other property of the binding, keyed as written (e.g. `route`, `methods`, `authLevel`).
  public var properties: [String: JSONValue]

  /// Creates a binding.
  public init(
    name: String, type: String, direction: Direction, dataType: String? = nil,
    properties: [String: JSONValue] = [:]
  ) {
    self.name = name
    self.type = type
    self.direction = direction
    self.dataType = dataType
    self.properties = properties
  }

  /// Whether this binding is a trigger (its type ends in `Trigger`).
  public var isTrigger: Bool { type.lowercased().hasSuffix("trigger") }
  /// Whether this is an HTTP trigger.
  public var isHTTPTrigger: Bool { type.lowercased() == "httptrigger" }

  /// A property looked up case-insensitively, as the stock host does.
  public func property(_ key: String) -> JSONValue? {
    if let v = properties[key] { return v }
    let lower = key.lowercased()
    return properties.first { $0.key.lowercased() == lower }?.value
  }

  /// The HTTP route template (`route`), if any.
  public var route: String? { property("route")?.stringValue }
  /// The allowed HTTP methods, upper-cased (`methods`); `nil` means every method.
  public var methods: [String]? {
    property("methods")?.arrayValue?.compactMap { $0.stringValue?.uppercased() }
  }
  /// The HTTP auth level (`authLevel`), lower-cased; defaults to `function` as in Azure.
  public var authLevel: String { property("authLevel")?.stringValue?.lowercased() ?? "function" }
}
