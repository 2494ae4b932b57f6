/// A parsed route template such as `products/{category:alpha}/{id:int?}`.
///
/// Syntax and semantics follow ASP.NET Core route templates, as used by the Azure Functions
/// host: literal segments match case-insensitively; `{name}` captures a segment, `{name?}` is
/// optional, `{name=value}` has a default, `{name:int}` (and chains like `{n:int:min(1)}`)
/// constrains it, `{*rest}` / `{**rest}` captures the rest of the path; a segment may mix
/// literals and parameters (`{name}.{ext}`). `{{` and `}}` are literal braces.
struct RouteTemplate: Sendable, Hashable {
  /// A route parameter.
  struct Parameter: Sendable, Hashable {
    /// The name as written (route values keep this spelling).
    var name: String
    /// The inline constraints, all of which must accept the value.
    var constraints: [RouteConstraint] = []
    /// `{name?}`.
    var isOptional = false
    /// `{name=value}`.
    var defaultValue: String?
    /// `{*name}` or `{**name}`.
    var isCatchAll = false

    /// Whether a missing value is acceptable.
    var mayBeAbsent: Bool { isOptional || defaultValue != nil || isCatchAll }

    /// Whether every constraint accepts `value`.
    func accepts(_ value: Substring) -> Bool {
      for c in constraints where !c.accepts(value) { return false }
      return true
    }
  }

  /// One piece of a complex segment.
  enum Part: Sendable, Hashable {
    /// Literal text, lower-cased.
    case literal(String)
    /// A parameter.
    case parameter(Parameter)
  }

  /// One `/`-separated segment.
  enum Segment: Sendable, Hashable {
    /// Literal text, lower-cased.
    case literal(String)
    /// A segment that is exactly one parameter (possibly a catch-all).
    case parameter(Parameter)
    /// A segment mixing literals and parameters, e.g. `{name}.{ext}`.
    case complex([Part])
  }

  /// The template as written, without leading or trailing `/`.
  let text: String
  /// The segments; empty for the root route.
  let segments: [Segment]

  /// Creates a template from parsed segments (see ``init(parsing:)``).
  init(text: String, segments: [Segment]) {
    self.text = text
    self.segments = segments
  }

  /// The names of all parameters, in order.
  var parameterNames: [String] {
    segments.flatMap { segment -> [String] in
      switch segment {
      case .literal: []
      case .parameter(let p): [p.name]
      case .complex(let parts):
        parts.compactMap { if case .parameter(let p) = $0 { p.name } else { nil } }
      }
    }
  }

  /// ASP.NET's inbound precedence, one digit per segment; lower sorts (and so matches) first.
  ///
  /// literal 1, complex 2, constrained parameter 3, plain parameter 4, catch-all 5. Compared
  /// lexicographically this puts routes with more leading literal segments first.
  var precedence: [UInt8] {
    segments.map { segment in
      switch segment {
      case .literal: 1
      case .complex: 2
      case .parameter(let p) where p.isCatchAll: 5
      case .parameter(let p) where !p.constraints.isEmpty: 3
      case .parameter: 4
      }
    }
  }

  /// A spelling that is equal for templates matching exactly the same paths the same way
  /// (parameter names ignored, literals lower-cased); used to find duplicate routes.
  var canonicalKey: String {
    func describe(_ p: Parameter) -> String {
      var s = p.isCatchAll ? "{*" : "{"
      for c in p.constraints { s += ":\(c)" }
      if p.isOptional { s += "?" }
      if let d = p.defaultValue { s += "=\(d)" }
      return s + "}"
    }
    return segments.map { segment in
      switch segment {
      case .literal(let l): l
      case .parameter(let p): describe(p)
      case .complex(let parts):
        parts.map {
          if case .parameter(let p) = $0 {
            describe(p)
          } else if case .literal(let l) = $0 {
            l
          } else {
            ""
          }
        }
        .joined()
      }
    }.joined(separator: "/")
  }
}
