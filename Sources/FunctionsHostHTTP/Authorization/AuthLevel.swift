internal import FunctionsHostCore

/// An HTTP trigger's `authLevel`, as the front door enforces it.
enum AuthLevel: Sendable, Hashable {
  /// No key needed.
  case anonymous
  /// A function key, a host key or the master key.
  case function
  /// The master key (`admin`; also `system`, which has no system keys here).
  case admin

  /// The level of an HTTP trigger binding; unknown values (rejected at indexing for
  /// function.json apps) count as `function`, the safe default.
  init(_ trigger: BindingMetadata) {
    switch trigger.authLevel {
    case "anonymous": self = .anonymous
    case "admin", "system": self = .admin
    default: self = .function
    }
  }

  /// The level's name as written in function.json.
  var name: String {
    switch self {
    case .anonymous: "anonymous"
    case .function: "function"
    case .admin: "admin"
    }
  }
}
