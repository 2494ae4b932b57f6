public import FunctionsHostCore
public import FunctionsObservability

/// What the front door serves for operators besides its own `/admin` endpoints: `GET /admin/metrics`
/// (Prometheus text), `GET /admin/dashboard` and its events, and `POST /admin/functions/<name>` (run a
/// function by hand). Each needs the master key when keys are enforced (`x-functions-key`, `?code=` or
/// `Authorization: Bearer <key>`).
public struct FrontDoorObservability: Sendable {
  /// Runs a function by hand with the text of `{"input": "…"}`; returns once it is accepted (it runs
  /// in the background). Throws ``FunctionsHostError`` (`functionNotFound`, `configuration`) when it
  /// cannot be run.
  public typealias RunFunction = @Sendable (_ function: FunctionMetadata, _ input: String) async throws -> Void

  /// The host's telemetry (metrics, journal, dashboard data).
  public var telemetry: HostTelemetry
  /// Runs functions for `POST /admin/functions/<name>`; `nil` answers 501.
  public var runFunction: RunFunction?

  /// Creates the operator endpoints' configuration.
  public init(telemetry: HostTelemetry, runFunction: RunFunction? = nil) {
    self.telemetry = telemetry
    self.runFunction = runFunction
  }
}
