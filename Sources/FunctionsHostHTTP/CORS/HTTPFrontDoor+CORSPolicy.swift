public import FunctionsHostCore

extension HTTPFrontDoor {
  /// Host-level CORS: which browser origins may call the app's functions.
  ///
  /// With a policy, the front door answers CORS preflight requests (`OPTIONS` with `Origin`
  /// and `Access-Control-Request-Method`) itself with `204`, before routing and without a key,
  /// and adds `Access-Control-Allow-Origin` (and `Vary: Origin`,
  /// `Access-Control-Allow-Credentials`) to every other response (errors included) whose request
  /// comes from an allowed origin; those headers replace the ones a function set itself. Without
  /// a policy the front door adds nothing, and a function that lists `options` in its `methods`
  /// receives `OPTIONS` requests itself.
  ///
  /// ```swift
  /// let configuration = HTTPFrontDoor.Configuration.defaults {
  ///   $0.cors = .init(allowedOrigins: ["https://contoso.com"], allowsCredentials: true)
  /// }
  /// ```
  public struct CORSPolicy: Sendable, Hashable {
    /// The allowed origins (`scheme://host[:port]`, compared ignoring ASCII case and a trailing
    /// `/`); `*` allows every origin.
    public var allowedOrigins: [String]
    /// Whether responses carry `Access-Control-Allow-Credentials: true`. Not with `*`: the front door
    /// refuses to start with both (see ``validate()``).
    public var allowsCredentials: Bool
    /// `Access-Control-Max-Age` of preflight responses, in seconds. Default 86,400 (one day;
    /// browsers cap it lower).
    public var maxAge: Int

    /// Creates a policy.
    public init(allowedOrigins: [String], allowsCredentials: Bool = false, maxAge: Int = 86_400) {
      self.allowedOrigins = allowedOrigins
      self.allowsCredentials = allowsCredentials
      self.maxAge = maxAge
    }

    /// The policy of local.settings.json (`Host.CORS`, `Host.CORSCredentials`), with
    /// command-line overrides as `func start --cors` has them; `nil` when no origin is listed.
    ///
    /// - Parameters:
    ///   - settings: the app's local settings.
    ///   - origins: origins given on the command line (comma-separated lists allowed); when
    ///     non-empty they replace `Host.CORS`.
    ///   - credentials: `true` to allow credentials whatever `Host.CORSCredentials` says.
    public init?(settings: LocalSettings, origins: [String] = [], credentials: Bool = false) {
      let fromFlags = origins.flatMap { $0.split(separator: ",") }
        .map { String($0.trimmingSpaces) }.filter { !$0.isEmpty }
      let list = fromFlags.isEmpty ? settings.cors : fromFlags
      guard !list.isEmpty else { return nil }
      self.init(allowedOrigins: list, allowsCredentials: credentials || settings.corsCredentials)
    }

    /// Refuses a policy that allows any origin (`*`) with credentials, as ASP.NET Core does at
    /// start: that combination would let every web site call the app with its visitors' cookies.
    ///
    /// - Throws: ``FunctionsHostError`` with code `configuration` naming the two settings.
    public func validate() throws(FunctionsHostError) {
      guard allowsCredentials, allowedOrigins.contains(where: { $0.trimmingSpaces == "*" }) else { return }
      throw FunctionsHostError(
        code: .configuration,
        message: "CORS: the origin '*' (any origin) cannot be combined with credentials "
          + "(--cors-credentials or local.settings.json Host.CORSCredentials): every web site could then call "
          + "the app with its visitors' cookies. List the origins that need credentials instead, "
          + "e.g. --cors https://app.example --cors-credentials")
    }
  }
}
