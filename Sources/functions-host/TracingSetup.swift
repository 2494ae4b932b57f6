internal import OTel
internal import ServiceLifecycle

/// OpenTelemetry traces for `functions-host start`: off unless the standard `OTEL_*` variables ask for
/// them (an OTLP endpoint, or `OTEL_TRACES_EXPORTER`), then exported over OTLP/HTTP as swift-otel reads
/// the rest of the variables (service name, sampler, headers, protocol). Only the CLI reads them.
enum TracingSetup {
  /// Whether the environment asks for traces.
  static func wanted(_ environment: [String: String]) -> Bool {
    if environment["OTEL_SDK_DISABLED"]?.lowercased() == "true" { return false }
    if let exporter = environment["OTEL_TRACES_EXPORTER"]?.lowercased() { return exporter != "none" }
    return environment["OTEL_EXPORTER_OTLP_ENDPOINT"] != nil || environment["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] != nil
  }

  /// Bootstraps the global tracer and returns the exporter's service (run it so spans are sent; it
  /// flushes when it stops).
  static func bootstrap(environment: [String: String]) throws -> some Service {
    var configuration = OTel.Configuration.default
    configuration.serviceName = "functions-host"
    configuration.logs.enabled = false
    configuration.metrics.enabled = false
    configuration.traces.enabled = true
    return try OTel.bootstrap(configuration: configuration, environment: environment)
  }
}
