internal import FunctionsHostCore

/// The routes of the enabled HTTP-triggered functions, ordered and bucketed for lookup.
///
/// Built once per function set (see ``RouteTableCache``). Lookup splits the path once, checks
/// the route prefix, then tries only the routes whose first template segment is the same
/// literal as the path's first segment (a dictionary lookup), followed by the routes starting
/// with a parameter. Both lists are in ASP.NET precedence order, and every literal-first route
/// precedes every parameter-first one, so the first match is the most specific route.
struct RouteTable: Sendable {
  /// The route prefix without slashes, e.g. `api` (may be empty).
  let routePrefix: String
  /// All routes, in precedence order.
  let routes: [HTTPRoute]
  /// Problems found while building (invalid, reserved or duplicate routes).
  let problems: [HTTPRouteProblem]

  private let prefixSegments: [String]
  private let byFirstLiteral: [String: [HTTPRoute]]
  private let others: [HTTPRoute]

  /// The outcome of a lookup.
  enum Lookup {
    /// A route matched path and method, with its route values.
    case matched(HTTPRoute, params: [String: String])
    /// Some route matched the path but none allows the method; `allowed` is sorted.
    case methodNotAllowed(allowed: [String])
    /// The most specific route for path and method is claimed by several functions, and refused.
    case conflict(HTTPRoute)
    /// No route matches the path.
    case notFound
  }

  /// Builds the table for `functions` under `routePrefix` (slashes around it are ignored).
  init(functions: [FunctionMetadata], routePrefix: String) {
    let prefix = routePrefix.split(separator: "/").joined(separator: "/")
    self.routePrefix = prefix
    self.prefixSegments = prefix.split(separator: "/").map { $0.lowercased() }
    var problems: [HTTPRouteProblem] = []
    var routes: [HTTPRoute] = []

    func fullRoute(_ text: String) -> String {
      prefix.isEmpty ? text : (text.isEmpty ? prefix : "\(prefix)/\(text)")
    }

    for function in functions.sorted(by: { $0.name < $1.name }) {
      do {
        guard let route = try HTTPRoute(function: function) else { continue }
        if prefixSegments.first == "admin"
          || (prefixSegments.isEmpty && route.template.segments.first == .literal("admin"))
        {
          problems.append(
            HTTPRouteProblem(
              kind: .reservedRoute,
              functionNames: [function.name],
              route: fullRoute(route.template.text),
              message:
                "the route '\(fullRoute(route.template.text))' of function '\(function.name)' "
                + "conflicts with the host's built-in '/admin' routes; the function is not routed"
            )
          )
          continue
        }
        routes.append(route)
      } catch {
        let text = HTTPRoute.routeText(of: function)
        problems.append(
          HTTPRouteProblem(
            kind: .invalidRoute,
            functionNames: [function.name],
            route: fullRoute(text),
            message: "invalid route '\(text)' of function '\(function.name)' "
              + "(\(function.sourceFile.isEmpty ? "route" : function.sourceFile)): "
              + "\(error.message); "
              + "the function is not routed"
          )
        )
      }
    }

    routes.sort { a, b in
      if a.precedence != b.precedence {
        return a.precedence.lexicographicallyPrecedes(b.precedence)
      }
      if a.canonicalKey != b.canonicalKey { return a.canonicalKey < b.canonicalKey }
      return a.functionName < b.functionName
    }
    let duplicates = RouteTable.duplicates(in: routes, fullRoute: fullRoute)
    problems += duplicates
    var conflicts: [String: Set<String>] = [:]
    for problem in duplicates {
      for name in problem.functionNames {
        conflicts[name, default: []].formUnion(problem.functionNames)
      }
    }
    for i in routes.indices {
      if let names = conflicts[routes[i].functionName] {
        routes[i].conflictingFunctions = names.sorted()
      }
    }

    var byFirstLiteral: [String: [HTTPRoute]] = [:]
    var others: [HTTPRoute] = []
    for route in routes {
      if case .literal(let first)? = route.template.segments.first {
        byFirstLiteral[first, default: []].append(route)
      } else {
        others.append(route)
      }
    }
    self.routes = routes
    self.problems = problems
    self.byFirstLiteral = byFirstLiteral
    self.others = others
  }

  /// Finds the route for a request path (without query) and method.
  func lookup(path: some StringProtocol, method: String) -> Lookup {
    let segments = RequestPath.segments(of: path)
    guard segments.count >= prefixSegments.count else { return .notFound }
    for (i, p) in prefixSegments.enumerated() where !segments[i].asciiCaseInsensitiveEquals(p) {
      return .notFound
    }
    let rest = segments[prefixSegments.count...]
    var allowed: [String] = []

    func search(_ candidates: [HTTPRoute]) -> Lookup? {
      for route in candidates {
        guard let params = route.template.match(rest) else { continue }
        if route.allows(method) {
          return route.conflictingFunctions == nil
            ? .matched(route, params: params) : .conflict(route)
        }
        allowed.append(contentsOf: route.methods ?? [])
      }
      return nil
    }

    if let first = rest.first {
      if let bucket = byFirstLiteral[first.lowercased()], let found = search(bucket) {
        return found
      }
    }
    if let found = search(others) { return found }
    if allowed.isEmpty { return .notFound }
    return .methodNotAllowed(allowed: Array(Set(allowed)).sorted())
  }

  /// The template text of a route with the prefix, e.g. `api/items/{id}`.
  func fullRoute(of route: HTTPRoute) -> String {
    routePrefix.isEmpty
      ? route.template.text
      : (route.template.text.isEmpty ? routePrefix : "\(routePrefix)/\(route.template.text)")
  }

  private static func duplicates(
    in routes: [HTTPRoute],
    fullRoute: (String) -> String
  ) -> [HTTPRouteProblem] {
    var byKey: [String: [HTTPRoute]] = [:]
    var order: [String] = []
    for route in routes {
      let key = route.canonicalKey
      if byKey[key] == nil { order.append(key) }
      byKey[key, default: []].append(route)
    }
    var problems: [HTTPRouteProblem] = []
    for key in order {
      let group = byKey[key]!.sorted { $0.functionName < $1.functionName }
      guard group.count > 1 else { continue }
      for i in 0 ..< group.count {
        for j in (i + 1) ..< group.count where group[i].methodsOverlap(group[j]) {
          let (a, b) = (group[i], group[j])
          let shared: String
          if let ma = a.methods, let mb = b.methods {
            shared = Set(ma).intersection(mb).sorted().joined(separator: ", ")
          } else {
            shared = (a.methods ?? b.methods)?.joined(separator: ", ") ?? "all methods"
          }
          let route = fullRoute(a.template.text)
          problems.append(
            HTTPRouteProblem(
              kind: .duplicateRoute,
              functionNames: [a.functionName, b.functionName],
              route: route,
              message: "duplicate HTTP route '\(route)' (\(shared)) claimed by functions "
                + "'\(a.functionName)' (route '\(a.template.text)') and '\(b.functionName)' "
                + "(route '\(b.template.text)'); neither function is routed (requests get 500 "
                + "routeConflict) until one of them changes its route or methods"
            )
          )
        }
      }
    }
    return problems
  }
}
