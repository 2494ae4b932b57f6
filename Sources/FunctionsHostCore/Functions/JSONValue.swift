package import Foundation

/// A JSON value, used for binding properties whose shape the host does not know in advance.
public enum JSONValue: Sendable, Hashable, Decodable {
  case null
  case bool(Bool)
  case number(Double)
  case string(String)
  case array([JSONValue])
  case object([String: JSONValue])

  /// Decodes any JSON value.
  public init(from decoder: any Decoder) throws {
    let c = try decoder.singleValueContainer()
    if c.decodeNil() { self = .null }
    else if let b = try? c.decode(Bool.self) { self = .bool(b) }
    else if let n = try? c.decode(Double.self) { self = .number(n) }
    else if let s = try? c.decode(String.self) { self = .string(s) }
    else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
    else { self = .object(try c.decode([String: JSONValue].self)) }
  }

  /// The string, if this is a string.
  public var stringValue: String? { if case .string(let s) = self { s } else { nil } }
  /// The bool, if this is a bool or a "true"/"false" string.
  public var boolValue: Bool? {
    switch self {
    case .bool(let b): b
    case .string(let s): s.lowercased() == "true" ? true : (s.lowercased() == "false" ? false : nil)
    default: nil
    }
  }
  /// The array, if this is an array.
  public var arrayValue: [JSONValue]? { if case .array(let a) = self { a } else { nil } }
  /// The object, if this is an object.
  public var objectValue: [String: JSONValue]? { if case .object(let o) = self { o } else { nil } }

  /// Parses JSON text.
  package static func parse(_ data: Data) throws -> JSONValue {
    try JSONDecoder().decode(JSONValue.self, from: data)
  }

  /// Compact JSON text for this value.
  public var jsonText: String {
    switch self {
    case .null: return "null"
    case .bool(let b): return b ? "true" : "false"
    case .number(let n):
      if n.rounded() == n, abs(n) < 1e15 { return String(Int64(n)) }
      return String(n)
    case .string(let s): return JSONValue.quote(s)
    case .array(let a): return "[" + a.map(\.jsonText).joined(separator: ",") + "]"
    case .object(let o):
      return "{" + o.keys.sorted().map { JSONValue.quote($0) + ":" + o[$0]!.jsonText }.joined(separator: ",") + "}"
    }
  }

  /// JSON string literal for `s`.
  public static func quote(_ s: String) -> String {
    var out = ""
    out.reserveCapacity(s.utf8.count + 2)
    appendQuoted(s, to: &out)
    return out
  }

  /// Appends the JSON string literal for `s` to `out` (no intermediate string).
  public static func appendQuoted(_ s: String, to out: inout String) {
    out += "\""
    // Most keys and values need no escape: one copy between the quotes.
    if !s.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
      out += s
      out += "\""
      return
    }
    for scalar in s.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      default:
        if scalar.value < 0x20 {
          out += String(format: "\\u%04x", scalar.value)
        } else {
          out.unicodeScalars.append(scalar)
        }
      }
    }
    out += "\""
  }
}
