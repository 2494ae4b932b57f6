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
  }

  /// What a scenario body gets.
  public struct Context: Sendable {
    /// The session with the fresh worker (no message exchanged yet).
    public var session: ConformanceSession
    /// Where the fixture apps are.
    public var apps: ConformanceFixtures.Apps
  }

  /// Stable kebab-case name (`--only` selects by it).
  public var name: String
  /// One line: what is checked.
  public var summary: String
  /// The app the worker runs.
  public var app: App
  /// The check; returns an optional note for the report.
  public var body: @Sendable (Context) async throws -> String?

  /// Creates a scenario.
  public init(
    name: String, summary: String, app: App = .classic, body: @escaping @Sendable (Context) async throws -> String?
  ) {
    self.name = name
    self.summary = summary
    self.app = app
    self.body = body
  }
}
