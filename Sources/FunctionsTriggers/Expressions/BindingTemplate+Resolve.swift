internal import FunctionsHostCore

extension BindingTemplate {
  /// The template's value for one invocation.
  ///
  /// Each `{expression}` is looked up in `bindingData`, ignoring case, and a dotted path walks into
  /// JSON objects (property names ignoring case). The binding data takes precedence over the
  /// built-ins `{rand-guid}` and `{DateTime}`; `{sys.…}` always comes from `context.sys`.
  ///
  /// Values go into the text as: strings raw; numbers and booleans as JSON text; JSON `null` as
  /// nothing (stock `JValue.ToString()`); objects and arrays are an error (``BindingExpressionError/Code/unusableValue``).
  /// A `:format` applies to date values (`{DateTime:…}`, `{sys.UtcNow:…}`, see ``DotNetDateFormat``)
  /// and to `{rand-guid:N|D|B|P}`; on other values it is ignored.
  package func resolve(
    _ bindingData: [String: BindingDataValue], context: BindingExpressionContext
  ) throws(BindingExpressionError) -> String {
    var out = ""
    for token in tokens {
      switch token {
      case .literal(let s): out += s
      case .expression(let e): out += try value(of: e, bindingData, context)
      }
    }
    return out
  }

  /// One expression's text.
  private func value(
    of e: BindingExpression, _ bindingData: [String: BindingDataValue], _ context: BindingExpressionContext
  ) throws(BindingExpressionError) -> String {
    let site = context.site
    if e.name.lowercased() == "sys", e.path.count == 2 {
      return try systemValue(e, context)
    }
    guard let root = bindingData.value(forKeyIgnoringCase: e.name) else {
      switch e.builtin {
      case .randGuid: return try GuidFormat.format(context.makeGuid(), e.format, expression: e, template: self)
      case .dateTime:
        return try DotNetDateFormat.format(context.sys.utcNow, e.format ?? "yyyy-MM-ddTHH-mm-ssZ", expression: e, template: self)
      case nil:
        let known = bindingData.keys.sorted().joined(separator: ", ")
        throw site.error(
          .missingValue,
          "no value for '{\(e.text)}' in \(site.property) '\(source)' (known: \(known.isEmpty ? "none" : known))")
      }
    }
    var current: JSONValue
    switch root {
    case .string(let s):
      guard e.path.count == 1 else {
        throw site.error(
          .missingValue,
          "no value for '{\(e.text)}' in \(site.property) '\(source)': '\(e.name)' is a string, it has no property '\(e.path[1])'")
      }
      return s
    case .json(let v): current = v
    }
    for (i, part) in e.path.enumerated().dropFirst() {
      guard case .object(let object) = current else {
        throw site.error(
          .missingValue,
          "no value for '{\(e.text)}' in \(site.property) '\(source)': '\(e.path[..<i].joined(separator: "."))' is not an object")
      }
      guard let next = object[part] ?? object.first(where: { $0.key.lowercased() == part.lowercased() })?.value else {
        let has = object.keys.sorted().joined(separator: ", ")
        throw site.error(
          .missingValue,
          "no value for '{\(e.text)}' in \(site.property) '\(source)': '\(e.path[..<i].joined(separator: "."))' "
            + "has no property '\(part)' (it has: \(has.isEmpty ? "none" : has))")
      }
      current = next
    }
    switch current {
    case .string(let s): return s
    case .null: return ""
    case .number, .bool: return current.jsonText
    case .object, .array:
      throw site.error(
        .unusableValue,
        "the value of '{\(e.text)}' in \(site.property) '\(source)' is a JSON \(current.objectValue != nil ? "object" : "array"); "
          + "only strings, numbers and booleans can be used")
    }
  }

  /// `{sys.MethodName}`, `{sys.UtcNow[:format]}`, `{sys.RandGuid[:format]}`.
  private func systemValue(_ e: BindingExpression, _ context: BindingExpressionContext) throws(BindingExpressionError) -> String {
    switch e.path[1].lowercased() {
    case "methodname": return context.sys.methodName
    case "utcnow":
      guard let format = e.format else { return WireDate.string(from: context.sys.utcNow) }
      return try DotNetDateFormat.format(context.sys.utcNow, format, expression: e, template: self)
    case "randguid": return try GuidFormat.format(context.sys.randGuid, e.format, expression: e, template: self)
    default:
      throw context.site.error(
        .missingValue,
        "no value for '{\(e.text)}' in \(context.site.property) '\(source)': 'sys' has MethodName, UtcNow and RandGuid")
    }
  }
}

/// .NET `Guid.ToString(format)` for the formats `D` (default), `N`, `B` and `P`.
enum GuidFormat {
  static func format(
    _ guid: String, _ format: String?, expression: BindingExpression, template: BindingTemplate
  ) throws(BindingExpressionError) -> String {
    let d = guid.lowercased()
    switch format?.uppercased() {
    case nil, "", "D": return d
    case "N": return d.replacingAll("-", with: "")
    case "B": return "{" + d + "}"
    case "P": return "(" + d + ")"
    default:
      throw template.site.error(
        .invalidTemplate,
        "unsupported GUID format '\(format!)' in '{\(expression.text)}' in \(template.site.property) '\(template.source)' (use N, D, B or P)")
    }
  }
}

extension String {
  /// The string with every `target` character replaced.
  func replacingAll(_ target: Character, with replacement: String) -> String {
    var out = ""
    for c in self { if c == target { out += replacement } else { out.append(c) } }
    return out
  }
}
