extension RouteTemplate {
  /// Parses a route template as written in `function.json` (`route`) or a decorator.
  ///
  /// A leading `/` or `~/` and a trailing `/` are ignored.
  ///
  /// - Throws: ``RouteTemplateError`` naming the problem (unbalanced braces, unknown
  ///   constraint, misplaced catch-all or optional parameter, duplicate parameter name, …).
  init(parsing template: String) throws(RouteTemplateError) {
    var text = Substring(template)
    if text.hasPrefix("~/") {
      text = text.dropFirst(2)
    } else if text.hasPrefix("/") {
      text = text.dropFirst()
    }
    if text.hasSuffix("/") { text = text.dropLast() }
    let rawSegments = try RouteTemplate.scan(text)
    var segments: [Segment] = []
    segments.reserveCapacity(rawSegments.count)
    for (index, parts) in rawSegments.enumerated() {
      segments.append(
        try RouteTemplate.segment(from: parts, isLast: index == rawSegments.count - 1)
      )
    }
    try RouteTemplate.validate(segments)
    self.init(text: String(text), segments: segments)
  }

  /// Splits the template into segments of parts, honouring `{{`/`}}` escapes and allowing
  /// `/` inside a parameter (for regex constraints).
  private static func scan(_ text: Substring) throws(RouteTemplateError) -> [[Part]] {
    if text.isEmpty { return [] }
    var segments: [[Part]] = []
    var parts: [Part] = []
    var literal = ""
    var i = text.startIndex
    func next(_ j: Substring.Index) -> Character? {
      let k = text.index(after: j)
      return k < text.endIndex ? text[k] : nil
    }
    func flushLiteral() {
      if !literal.isEmpty { parts.append(.literal(literal.lowercased())) }
      literal = ""
    }
    while i < text.endIndex {
      let c = text[i]
      switch c {
      case "/":
        flushLiteral()
        guard !parts.isEmpty else {
          throw RouteTemplateError("the route template '\(text)' has an empty segment")
        }
        segments.append(parts)
        parts = []
        i = text.index(after: i)
      case "{" where next(i) == "{", "}" where next(i) == "}":
        literal.append(c)
        i = text.index(i, offsetBy: 2)
      case "}":
        throw RouteTemplateError("unmatched '}' in route template '\(text)'")
      case "?":
        throw RouteTemplateError("the route template '\(text)' contains '?' outside a parameter")
      case "{":
        flushLiteral()
        var j = text.index(after: i)
        var inner = ""
        var closed = false
        while j < text.endIndex {
          let d = text[j]
          if d == "}" {
            if next(j) == "}" {
              inner.append("}")
              j = text.index(j, offsetBy: 2)
              continue
            }
            closed = true
            break
          }
          if d == "{" {
            guard next(j) == "{" else {
              throw RouteTemplateError(
                "unescaped '{' inside a parameter of route template '\(text)'"
              )
            }
            inner.append("{")
            j = text.index(j, offsetBy: 2)
            continue
          }
          inner.append(d)
          j = text.index(after: j)
        }
        guard closed else { throw RouteTemplateError("unclosed '{' in route template '\(text)'") }
        if case .parameter? = parts.last {
          throw RouteTemplateError(
            "two parameters without a literal between them in route template '\(text)'"
          )
        }
        parts.append(.parameter(try parameter(from: Substring(inner))))
        i = text.index(after: j)
      default:
        literal.append(c)
        i = text.index(after: i)
      }
    }
    flushLiteral()
    guard !parts.isEmpty else {
      throw RouteTemplateError("the route template '\(text)' has an empty segment")
    }
    segments.append(parts)
    return segments
  }

  /// Parses the text between braces: `[*|**]name[:constraint…][?|=default]`.
  private static func parameter(from inner: Substring) throws(RouteTemplateError) -> Parameter {
    var rest = inner
    var isCatchAll = false
    if rest.hasPrefix("**") {
      isCatchAll = true
      rest = rest.dropFirst(2)
    } else if rest.hasPrefix("*") {
      isCatchAll = true
      rest = rest.dropFirst()
    }
    // Split at top-level ':' and '=' (not inside constraint parentheses).
    var depth = 0
    var pieces: [Substring] = []
    var defaultValue: Substring?
    var start = rest.startIndex
    var i = rest.startIndex
    while i < rest.endIndex {
      let c = rest[i]
      if c == "(" {
        depth += 1
      } else if c == ")" {
        depth = max(0, depth - 1)
      } else if depth == 0 {
        if c == ":" {
          pieces.append(rest[start ..< i])
          start = rest.index(after: i)
        } else if c == "=" {
          defaultValue = rest[rest.index(after: i)...]
          break
        }
      }
      i = rest.index(after: i)
    }
    pieces.append(rest[start ..< i])
    var isOptional = false
    if defaultValue == nil, let last = pieces.last, last.hasSuffix("?") {
      pieces[pieces.count - 1] = last.dropLast()
      isOptional = true
    }
    let name = pieces.removeFirst()
    guard !name.isEmpty else {
      throw RouteTemplateError("a route parameter has no name: '{\(inner)}'")
    }
    guard !name.contains(where: { "{}/?*=:()\\".contains($0) }) else {
      throw RouteTemplateError("invalid route parameter name '\(name)'")
    }
    var constraints: [RouteConstraint] = []
    for piece in pieces {
      guard !piece.isEmpty else { throw RouteTemplateError("empty constraint in '{\(inner)}'") }
      constraints.append(try RouteConstraint.parse(piece))
    }
    if isCatchAll && isOptional {
      throw RouteTemplateError("a catch-all parameter cannot be marked optional: '{\(inner)}'")
    }
    return Parameter(
      name: String(name),
      constraints: constraints,
      isOptional: isOptional,
      defaultValue: defaultValue.map(String.init),
      isCatchAll: isCatchAll
    )
  }

  private static func segment(
    from parts: [Part],
    isLast: Bool
  ) throws(RouteTemplateError) -> Segment {
    if parts.count == 1 {
      switch parts[0] {
      case .literal(let l): return .literal(l)
      case .parameter(let p):
        if p.isCatchAll && !isLast {
          throw RouteTemplateError("a catch-all parameter ('\(p.name)') must be the last segment")
        }
        return .parameter(p)
      }
    }
    for part in parts {
      if case .parameter(let p) = part {
        if p.isCatchAll {
          throw RouteTemplateError("a catch-all parameter ('\(p.name)') must be a whole segment")
        }
        if p.mayBeAbsent {
          throw RouteTemplateError(
            "an optional or defaulted parameter ('\(p.name)') must be a whole segment"
          )
        }
      }
    }
    return .complex(parts)
  }

  private static func validate(_ segments: [Segment]) throws(RouteTemplateError) {
    var seen = Set<String>()
    var sawOptional: String?
    for segment in segments {
      var names: [String] = []
      switch segment {
      case .literal:
        if let sawOptional {
          throw RouteTemplateError(
            "the optional parameter '\(sawOptional)' must be followed only by optional parameters"
          )
        }
      case .parameter(let p):
        names = [p.name]
        if p.mayBeAbsent && !p.isCatchAll {
          sawOptional = p.name
        } else if let sawOptional, !p.isCatchAll {
          throw RouteTemplateError(
            "the optional parameter '\(sawOptional)' must be followed only by optional parameters"
          )
        }
      case .complex(let parts):
        if let sawOptional {
          throw RouteTemplateError(
            "the optional parameter '\(sawOptional)' must be followed only by optional parameters"
          )
        }
        names = parts.compactMap { if case .parameter(let p) = $0 { p.name } else { nil } }
      }
      for name in names {
        guard seen.insert(name.lowercased()).inserted else {
          throw RouteTemplateError("the route parameter '\(name)' appears more than once")
        }
      }
    }
  }
}
