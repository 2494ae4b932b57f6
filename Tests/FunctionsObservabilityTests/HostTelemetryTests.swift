import FunctionsHostCore
import FunctionsObservability
import Testing

/// A dispatcher that answers from a script: succeed, fail, time out, or say the function does not exist.
struct ScriptedDispatcher: InvocationDispatching {
  var catalog: [FunctionMetadata]

  func invoke(_ input: InvocationInput) async throws -> InvocationOutput {
    switch input.functionName {
    case "ok": return InvocationOutput(invocationID: "id-ok")
    case "slow": throw FunctionsHostError(code: .timeout, message: "too slow", invocationID: "id-slow")
    case "cancelled": throw FunctionsHostError(code: .functionCancelled, message: "cancelled", invocationID: "id-c")
    case "boom": throw FunctionsHostError(code: .functionFailed, message: "boom", invocationID: "id-boom")
    default: throw FunctionsHostError(code: .functionNotFound, message: "no function")
    }
  }

  func functions() -> [FunctionMetadata] { catalog }
}

@Suite struct HostTelemetryTests {
  static func function(_ name: String, trigger: String) -> FunctionMetadata {
    FunctionMetadata(
      name: name, functionID: name, directory: "/app/\(name)", scriptFile: "__init__.py",
      bindings: [BindingMetadata(name: "t", type: trigger, direction: .in)])
  }

  static func value(_ text: String, _ name: String, _ parts: [String] = []) -> Double? {
    for line in text.split(separator: "\n") where line.hasPrefix(name + "{") || line.hasPrefix(name + " ") {
      guard parts.allSatisfy({ line.contains($0) }), let value = line.split(separator: " ").last else { continue }
      return Double(value)
    }
    return nil
  }

  @Test func outcomesDurationsAndInFlightAreCountedPerFunction() async throws {
    let telemetry = HostTelemetry()
    let catalog = ["ok", "slow", "cancelled", "boom"].map { Self.function($0, trigger: "queueTrigger") }
    let dispatcher = telemetry.dispatcher(wrapping: ScriptedDispatcher(catalog: catalog))
    _ = try await dispatcher.invoke(InvocationInput(functionName: "ok"))
    _ = try await dispatcher.invoke(InvocationInput(functionName: "ok"))
    for name in ["slow", "cancelled", "boom", "missing"] {
      await #expect(throws: FunctionsHostError.self) { try await dispatcher.invoke(InvocationInput(functionName: name)) }
    }
    let text = await telemetry.prometheusText()
    let total = "functions_invocations_total"
    #expect(Self.value(text, total, [#"function="ok""#, #"outcome="succeeded""#, #"trigger="queueTrigger""#]) == 2)
    #expect(Self.value(text, total, [#"function="slow""#, #"outcome="timed_out""#]) == 1)
    #expect(Self.value(text, total, [#"function="cancelled""#, #"outcome="cancelled""#]) == 1)
    #expect(Self.value(text, total, [#"function="boom""#, #"outcome="failed""#]) == 1)
    #expect(!text.contains(#"function="missing""#))
    #expect(Self.value(text, "functions_invocation_duration_seconds_count", [#"function="ok""#]) == 2)
    #expect(Self.value(text, "functions_invocations_in_flight") == 0)

    let snapshot = await telemetry.snapshot(functions: catalog)
    #expect(snapshot.invocations.count == 5)
    #expect(snapshot.invocations.first?.function == "boom")
    #expect(snapshot.invocations.first?.error == "boom")
    let ok = try #require(snapshot.functions.first { $0.name == "ok" })
    #expect(ok.count == 2 && ok.failures == 0 && ok.p50Ms != nil && ok.recentMs.count == 2)
    #expect(snapshot.functions.first { $0.name == "boom" }?.errorRate == 1)
  }

  @Test func twoHostsInOneProcessCountSeparately() async throws {
    let first = HostTelemetry()
    let second = HostTelemetry()
    first.requestCompleted(status: 200)
    first.requestCompleted(status: 204)
    second.requestCompleted(status: 503)
    let a = await first.prometheusText()
    let b = await second.prometheusText()
    #expect(Self.value(a, "functions_http_requests_total", [#"status_class="2xx""#]) == 2)
    #expect(Self.value(a, "functions_http_requests_total", [#"status_class="5xx""#]) == 0)
    #expect(Self.value(b, "functions_http_requests_total", [#"status_class="5xx""#]) == 1)
    #expect(Self.value(b, "functions_http_requests_total", [#"status_class="2xx""#]) == 0)
  }

  @Test func workerEventsAreCountedByCauseAndKeptPerSlot() async throws {
    let telemetry = HostTelemetry()
    telemetry.attach(.init(workers: { [] }))
    telemetry.record(WorkerEvent(slot: 0, kind: .started(pid: 10, restart: false)))
    telemetry.record(WorkerEvent(slot: 0, kind: .exited(cause: .crashed, description: "exited with code 1")))
    telemetry.record(WorkerEvent(slot: 0, kind: .started(pid: 11, restart: true)))
    let text = await telemetry.prometheusText()
    #expect(Self.value(text, "functions_worker_starts_total") == 2)
    #expect(Self.value(text, "functions_worker_restarts_total") == 1)
    #expect(Self.value(text, "functions_worker_exits_total", [#"cause="crashed""#]) == 1)
    let workers = await telemetry.snapshot(functions: []).workers
    #expect(workers.first?.lastExitCause == "crashed")
  }

  @Test func queueAndTimerGaugesAreReadOnScrape() async throws {
    let telemetry = HostTelemetry()
    telemetry.attach(
      .init(
        workers: { [] },
        storage: {
          StorageGauges(
            queues: [.init(function: "f", queue: "orders", depth: 7, oldestAgeSeconds: 3, poison: 2)],
            timers: [.init(function: "tick", lastRun: 100, nextRun: 160)])
        }))
    let text = await telemetry.prometheusText()
    #expect(Self.value(text, "functions_queue_depth", [#"queue="orders""#]) == 7)
    #expect(Self.value(text, "functions_queue_poison_messages", [#"queue="orders""#]) == 2)
    #expect(Self.value(text, "functions_queue_oldest_message_age_seconds", [#"queue="orders""#]) == 3)
    #expect(Self.value(text, "functions_timer_next_run_timestamp_seconds", [#"function="tick""#]) == 160)
  }
}
