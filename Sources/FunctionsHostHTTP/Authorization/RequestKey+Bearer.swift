internal import Hummingbird

extension RequestKey {
  /// The token of an `Authorization: Bearer <token>` header (how Prometheus scrapers send a key).
  static func bearer(of head: HTTPRequest) -> Substring? {
    guard let value = head.headerFields[.authorization] else { return nil }
    let scheme = "bearer "
    guard value.count > scheme.count, value.prefix(scheme.count).lowercased() == scheme else { return nil }
    let token = value.dropFirst(scheme.count).drop { $0 == " " }
    return token.isEmpty ? nil : Substring(token)
  }
}
