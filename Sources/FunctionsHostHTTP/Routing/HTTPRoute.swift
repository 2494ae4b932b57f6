internal import FunctionsHostCore

/// One HTTP-triggered function in the route table.
struct HTTPRoute: Sendable {
  /// The function.
  let function: FunctionMetadata
  /// The parsed route template (without the route prefix).
  let template: RouteTemplate
  /// The allowed methods, upper-cased; `nil` means every method.
  let methods: [String]?
  /// The trigger binding's name (`req`), used as the ParameterBinding name.
  let triggerBindingName: String
  /// The HTTP output binding's name (`$return` or e.g. `res`); `nil` when there is none.
  let outputBindingName: String?
  /// Cached ``RouteTemplate/precedence``.
  let precedence: [UInt8]
  /// Cached ``RouteTemplate/canonicalKey``.
  let canonicalKey: String
  /// The trigger's `authLevel`.
  let authLevel: AuthLevel
  /// When another function claims the same route with an overlapping method: every function
  /// of the conflict, sorted. Such a route is refused (never invoked).
  var conflictingFunctions: [String]? = nil

  /// The function name.
  var functionName: String { function.name }

  /// Builds the route of an enabled HTTP-triggered function; `nil` for anything else.
  ///
  /// - Throws: ``RouteTemplateError`` when the function's route template is invalid.
  init?(function: FunctionMetadata) throws(RouteTemplateError) {
    guard !function.isDisabled, let trigger = function.trigger, trigger.isHTTPTrigger else {
      return nil
    }
    let routeText = HTTPRoute.routeText(of: function)
    self.function = function
    self.template = try RouteTemplate(parsing: routeText)
    self.methods = trigger.methods.flatMap { $0.isEmpty ? nil : Array(Set($0)).sorted() }
    self.triggerBindingName = trigger.name
    self.outputBindingName = function.httpOutput?.name
    self.precedence = template.precedence
    self.canonicalKey = template.canonicalKey
    self.authLevel = AuthLevel(trigger)
  }

  /// The route as configured: the trigger's `route`, or the function name when absent or empty.
  static func routeText(of function: FunctionMetadata) -> String {
    if let route = function.trigger?.route, !route.isEmpty { return route }
    return function.name
  }

  /// Whether the route accepts `method`.
  func allows(_ method: String) -> Bool {
    guard let methods else { return true }
    for m in methods where m.asciiCaseInsensitiveEquals(method) { return true }
    return false
  }

  /// Whether two routes share at least one method.
  func methodsOverlap(_ other: HTTPRoute) -> Bool {
    guard let mine = methods, let theirs = other.methods else { return true }
    return !Set(mine).isDisjoint(with: theirs)
  }
}
