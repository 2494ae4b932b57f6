internal import Hummingbird

/// A ``HTTPFrontDoor/CORSPolicy`` prepared for per-request use: normalized origins, header
/// values built once. Used only when a request has an `Origin` header.
struct CORSRules: Sendable {
  private let origins: [String]
  private let allowsAny: Bool
  private let allowsCredentials: Bool
  private let maxAge: String

  init(_ policy: HTTPFrontDoor.CORSPolicy) {
    var origins: [String] = []
    var allowsAny = false
    for origin in policy.allowedOrigins {
      var text = Substring(origin.trimmingSpaces)
      while text.count > 1, text.last == "/" { text = text.dropLast() }
      if text == "*" {
        allowsAny = true
      } else if !text.isEmpty {
        origins.append(text.lowercased())
      }
    }
    self.origins = origins
    self.allowsAny = allowsAny
    self.allowsCredentials = policy.allowsCredentials
    self.maxAge = String(max(0, policy.maxAge))
  }

  /// Whether the CORS headers depend on the request's origin (not a plain `*`), so that caches
  /// must key on it (`Vary: Origin`).
  private var variesByOrigin: Bool { !allowsAny || allowsCredentials }

  /// Whether a request is a CORS preflight: `OPTIONS` with `Access-Control-Request-Method`
  /// (the caller has already seen its `Origin`).
  static func isPreflight(_ head: HTTPRequest) -> Bool {
    head.method == .options && head.headerFields[.accessControlRequestMethod] != nil
  }

  /// The `Access-Control-Allow-Origin` value for `origin`, or `nil` when it is not allowed.
  func allowOrigin(for origin: String) -> String? {
    if allowsAny { return allowsCredentials ? origin : "*" }
    var candidate = Substring(origin)
    if candidate.last == "/" { candidate = candidate.dropLast() }
    for allowed in origins where candidate.asciiCaseInsensitiveEquals(allowed) { return origin }
    return nil
  }

  /// The answer to a preflight: `204` with the CORS headers when the origin is allowed, without
  /// them otherwise (the browser then refuses the real request).
  func preflightResponse(to head: HTTPRequest, origin: String) -> Response {
    var headers = HTTPFields()
    if let allowed = allowOrigin(for: origin) {
      headers[.accessControlAllowOrigin] = allowed
      if let method = head.headerFields[.accessControlRequestMethod] {
        headers[.accessControlAllowMethods] = method
      }
      if let requested = head.headerFields[.accessControlRequestHeaders] {
        headers[.accessControlAllowHeaders] = requested
      }
      headers[.accessControlMaxAge] = maxAge
      if allowsCredentials { headers[.accessControlAllowCredentials] = "true" }
    }
    if variesByOrigin { headers.append(HTTPField(name: .vary, value: "Origin")) }
    return Response(status: .noContent, headers: headers)
  }

  /// Adds the CORS headers to a response to a request from `origin`, replacing the function's own.
  func apply(to headers: inout HTTPFields, origin: String) {
    if variesByOrigin,
      !headers[values: .vary].contains(where: { $0.lowercased().contains("origin") })
    {
      headers.append(HTTPField(name: .vary, value: "Origin"))
    }
    guard let allowed = allowOrigin(for: origin) else { return }
    headers[.accessControlAllowOrigin] = allowed
    if allowsCredentials { headers[.accessControlAllowCredentials] = "true" }
  }
}
