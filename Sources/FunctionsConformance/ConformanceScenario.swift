/// One named check of a worker. It gets a fresh worker in a fresh ``ConformanceSession`` and either
/// returns (passed, with an optional note), throws ``ScenarioSkip`` (does not apply), or throws anything
/// else (failed).
///
/// ```swift
/// let custom = ConformanceScenario(name: "my-check", summary: "echo answers") { context in
///   try await context.session.handshake()
///   return nil
/// }
/// ```
public struct ConformanceScenario: Sendable {
  /// Which fixture app the worker is started in.
  public enum App: String, Sendable, Codable {
    /// The classic `function.json` app.
    case classic
    /// The `function_app.py` decorator app.
    case decorated
    /// The app given with `--app` (``ConformanceSuite/Configuration/userApp``).
    case user
    /// The `function_app.py` app with a streaming (generator) HTTP function, `stream`.
    case streaming
  }

  /// What a scenario body gets.
  public struct Context: Sendable {
    /// The session with the fresh worker (no message exchanged yet).
    public var session: ConformanceSession
    /// Where the fixture apps are.
    public var apps: ConformanceFixtures.Apps
    /// The Unix socket path the kit offered in `FUNCTIONS_HOST_HTTP_SOCKET` (``ConformanceScenario/offersHTTPSocket``).
    public var offeredHTTPSocket: String? = nil
  }

  /// Stable kebab-case name (`--only` selects by it).
  public var name: String
  /// One line: what is checked.
  public var summary: String
  /// The app the worker runs.
  public var app: App
  /// Variables added to the worker's launch environment for this scenario (over the session's).
  public var launchEnvironment: [String: String]
  /// Whether the kit offers the worker a Unix socket path for its own HTTP server, as functions-host does:
  /// `FUNCTIONS_HOST_HTTP_SOCKET=<private 0700 directory>/h.sock` (workers that do not know it ignore it).
  public var offersHTTPSocket: Bool
  /// The check; returns an optional note for the report.
  public var body: @Sendable (Context) async throws -> String?

  /// Creates a scenario.
  public init(
    name: String, summary: String, app: App = .classic, launchEnvironment: [String: String] = [:],
    offersHTTPSocket: Bool = false, body: @escaping @Sendable (Context) async throws -> String?
  ) {
    self.name = name
    self.summary = summary
    self.app = app
    self.launchEnvironment = launchEnvironment
    self.offersHTTPSocket = offersHTTPSocket
    self.body = body
  }
}
