/// A problem with the HTTP routes of a function app, found when the route table is built.
///
/// ```swift
/// for problem in HTTPFrontDoor.routeProblems(in: functions, routePrefix: "api") {
///   print(problem)  // duplicate route 'api/items/{id}' for GET: functions 'getItem' and 'readItem'
/// }
/// ```
public struct HTTPRouteProblem: Error, Sendable, Hashable, CustomStringConvertible {
  /// What kind of problem this is.
  public struct Kind: Sendable, Hashable, CustomStringConvertible {
    private enum Wrapped: String, Sendable, Hashable {
      case duplicateRoute, invalidRoute, reservedRoute
    }
    private let wrapped: Wrapped
    private init(_ wrapped: Wrapped) { self.wrapped = wrapped }

    /// Two or more functions claim the same route template with overlapping methods.
    /// The front door refuses them all (`500 routeConflict`) rather than picking one, and
    /// `functions-host start` fails.
    public static let duplicateRoute = Kind(.duplicateRoute)
    /// A function's route template cannot be parsed; the function is not routed.
    public static let invalidRoute = Kind(.invalidRoute)
    /// A function's route would shadow the host's own `/admin/…` endpoints; it is not routed.
    public static let reservedRoute = Kind(.reservedRoute)

    /// The kind's name, e.g. `duplicateRoute`.
    public var description: String { wrapped.rawValue }
  }

  /// What kind of problem this is.
  public var kind: Kind
  /// The functions concerned, sorted by name (two or more for a duplicate).
  public var functionNames: [String]
  /// The route template concerned, including the route prefix (e.g. `api/items/{id}`).
  public var route: String
  /// A message naming the functions, the route and what is wrong.
  public var message: String

  /// Creates a problem.
  public init(kind: Kind, functionNames: [String], route: String, message: String) {
    self.kind = kind
    self.functionNames = functionNames
    self.route = route
    self.message = message
  }

  /// The message.
  public var description: String { message }
}
