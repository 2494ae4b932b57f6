internal import Foundation

/// The compiled pattern of a `regex(...)` route constraint.
///
/// Like ASP.NET Core's `RegexRouteConstraint` the match is case-insensitive and unanchored
/// (write `^…$` to anchor). The pattern is compiled once, when the route table is built; the
/// only per-request regex work is for routes that actually use this constraint.
struct RouteRegex: Sendable, Hashable {
  /// The pattern as written in the route template.
  let pattern: String
  private let regex: NSRegularExpression

  /// Compiles `pattern`.
  init(_ pattern: String) throws(RouteTemplateError) {
    self.pattern = pattern
    do {
      self.regex = try NSRegularExpression(pattern: pattern, options: [.caseInsensitive])
    } catch {
      throw RouteTemplateError("invalid regex '\(pattern)': \(error)")
    }
  }

  /// Whether the pattern matches anywhere in `value`.
  func matches(_ value: Substring) -> Bool {
    let text = String(value)
    return regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
  }

  static func == (lhs: RouteRegex, rhs: RouteRegex) -> Bool { lhs.pattern == rhs.pattern }
  func hash(into hasher: inout Hasher) { hasher.combine(pattern) }
}
