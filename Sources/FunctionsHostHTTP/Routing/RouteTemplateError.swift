/// Why a route template could not be parsed.
struct RouteTemplateError: Error, Sendable, Hashable, CustomStringConvertible {
  /// What is wrong, e.g. `unknown route constraint 'integer'`.
  var message: String
  init(_ message: String) { self.message = message }
  var description: String { message }
}
