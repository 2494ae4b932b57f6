/// One inline constraint of a route parameter, such as `int` in `{id:int}`.
///
/// The set and the semantics follow ASP.NET Core's inline route constraints (which is what
/// the Azure Functions host uses): every check is culture-invariant, `regex(...)` is
/// case-insensitive and not anchored unless the pattern anchors itself.
enum RouteConstraint: Sendable, Hashable {
  case int, long, double, bool, guid, alpha, datetime, required
  case minLength(Int)
  case maxLength(Int)
  case length(Int)
  case lengthRange(Int, Int)
  case min(Int64)
  case max(Int64)
  case range(Int64, Int64)
  case regex(RouteRegex)

  /// The constraint names this host understands, for error messages.
  static let supportedNames =
    "int, long, float, double, decimal, bool, guid, alpha, datetime, required, minlength(n), "
    + "maxlength(n), length(n), length(min,max), min(n), max(n), range(min,max), regex(pattern)"

  /// Parses one constraint, e.g. `int` or `range(1,10)`.
  ///
  /// - Throws: a message naming the constraint when it is unknown or its arguments are bad.
  static func parse(_ text: Substring) throws(RouteTemplateError) -> RouteConstraint {
    let name: Substring
    let argument: Substring?
    if let open = text.firstIndex(of: "(") {
      guard text.last == ")" else {
        throw RouteTemplateError("constraint '\(text)' has no closing ')'")
      }
      name = text[..<open]
      argument = text[text.index(after: open) ..< text.index(before: text.endIndex)]
    } else {
      name = text
      argument = nil
    }

    func noArgument(_ c: RouteConstraint) throws(RouteTemplateError) -> RouteConstraint {
      guard argument == nil else {
        throw RouteTemplateError("constraint '\(name)' takes no argument")
      }
      return c
    }
    func integers(_ count: ClosedRange<Int>) throws(RouteTemplateError) -> [Int64] {
      let parts = (argument ?? "").split(separator: ",", omittingEmptySubsequences: false)
      let values = parts.compactMap { Int64($0.trimmingSpaces) }
      guard argument != nil, values.count == parts.count, count.contains(values.count) else {
        let expected =
          count.lowerBound == count.upperBound
          ? "\(count.lowerBound)" : "\(count.lowerBound) or \(count.upperBound)"
        throw RouteTemplateError("constraint '\(text)' needs \(expected) integer argument(s)")
      }
      return values
    }
    func lengths(_ count: ClosedRange<Int>) throws(RouteTemplateError) -> [Int] {
      let values = try integers(count)
      guard values.allSatisfy({ $0 >= 0 && $0 <= Int64(Int32.max) }) else {
        throw RouteTemplateError("constraint '\(text)' needs non-negative lengths")
      }
      return values.map { Int($0) }
    }

    switch name.lowercased() {
    case "int": return try noArgument(.int)
    case "long": return try noArgument(.long)
    case "double", "float", "decimal": return try noArgument(.double)
    case "bool": return try noArgument(.bool)
    case "guid": return try noArgument(.guid)
    case "alpha": return try noArgument(.alpha)
    case "datetime": return try noArgument(.datetime)
    case "required": return try noArgument(.required)
    case "minlength": return .minLength(try lengths(1 ... 1)[0])
    case "maxlength": return .maxLength(try lengths(1 ... 1)[0])
    case "length":
      let v = try lengths(1 ... 2)
      return v.count == 1 ? .length(v[0]) : .lengthRange(v[0], v[1])
    case "min": return .min(try integers(1 ... 1)[0])
    case "max": return .max(try integers(1 ... 1)[0])
    case "range":
      let v = try integers(2 ... 2)
      return .range(v[0], v[1])
    case "regex":
      guard let argument, !argument.isEmpty else {
        throw RouteTemplateError("constraint 'regex' needs a pattern")
      }
      return .regex(try RouteRegex(String(argument)))
    default:
      throw RouteTemplateError(
        "unknown route constraint '\(name)'; supported: \(RouteConstraint.supportedNames)"
      )
    }
  }

  /// Whether `value` (percent-decoded, non-empty) satisfies the constraint.
  func accepts(_ value: Substring) -> Bool {
    switch self {
    case .int: return Int32(value.trimmingSpaces) != nil
    case .long: return Int64(value.trimmingSpaces) != nil
    case .double:
      guard let d = Double(value.trimmingSpaces) else { return false }
      return d.isFinite
    case .bool:
      let v = value.trimmingSpaces
      return v.asciiCaseInsensitiveEquals("true") || v.asciiCaseInsensitiveEquals("false")
    case .guid: return RouteConstraint.isGUID(value)
    case .alpha:
      return !value.isEmpty
        && value.utf8.allSatisfy { ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) }
    case .datetime: return RouteConstraint.isDateTime(value)
    case .required: return !value.isEmpty
    case .minLength(let n): return value.count >= n
    case .maxLength(let n): return value.count <= n
    case .length(let n): return value.count == n
    case .lengthRange(let lo, let hi): return value.count >= lo && value.count <= hi
    case .min(let n): return Int64(value.trimmingSpaces).map { $0 >= n } ?? false
    case .max(let n): return Int64(value.trimmingSpaces).map { $0 <= n } ?? false
    case .range(let lo, let hi):
      return Int64(value.trimmingSpaces).map { $0 >= lo && $0 <= hi } ?? false
    case .regex(let r): return r.matches(value)
    }
  }
}

extension RouteConstraint: CustomStringConvertible {
  /// The canonical spelling, e.g. `int`, `range(1,10)`, `regex(^a$)`.
  var description: String {
    switch self {
    case .int: "int"
    case .long: "long"
    case .double: "double"
    case .bool: "bool"
    case .guid: "guid"
    case .alpha: "alpha"
    case .datetime: "datetime"
    case .required: "required"
    case .minLength(let n): "minlength(\(n))"
    case .maxLength(let n): "maxlength(\(n))"
    case .length(let n): "length(\(n))"
    case .lengthRange(let a, let b): "length(\(a),\(b))"
    case .min(let n): "min(\(n))"
    case .max(let n): "max(\(n))"
    case .range(let a, let b): "range(\(a),\(b))"
    case .regex(let r): "regex(\(r.pattern))"
    }
  }
}
