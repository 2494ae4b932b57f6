import Foundation
import FunctionsConformance
import FunctionsRPC
import Logging
import Testing

@testable import FunctionsHostCore

/// The runtime driven in-process by scripted workers: the real host, gRPC on loopback, no Python and no
/// process.
@Suite struct HostRuntimeTests {
  /// Runs a host over `runner` for the body, then shuts it down and waits for `run()` to return.
  func withHost(
    _ runner: some WorkerProcessRunning, workers: Int = 1, startTimeouts: Duration = .seconds(10),
    clock: any Clock<Duration> = ContinuousClock(), functionTimeout: Duration? = nil,
    health: (interval: Duration, timeout: Duration) = (.seconds(10), .seconds(30)),
    _ body: (FunctionsHost) async throws -> Void
  ) async throws {
    let app = try ScriptedApp()
    defer { app.remove() }
    var configuration = FunctionsHost.Configuration(
      scriptRoot: app.directory,
      worker: WorkerDescription(executable: "scripted", workerDirectory: app.directory), workerCount: workers)
    configuration.processRunner = runner
    configuration.dispatchWaitTimeout = .seconds(10)
    configuration.startTimeout = startTimeouts
    configuration.initTimeout = startTimeouts
    configuration.clock = clock
    // An in-process worker's "exit" follows its stream's end by a task switch, which a loaded machine
    // may stretch: let the exit name the reason, as a real process's exit status does.
    configuration.streamLossGrace = .seconds(30)
    configuration.functionTimeout = functionTimeout
    configuration.healthInterval = health.interval
    configuration.healthTimeout = health.timeout
    var logger = Logger(label: "host-runtime-tests")
    logger.logLevel = .critical
    let host = FunctionsHost(configuration: configuration, logger: logger)
    try await withThrowingTaskGroup(of: Void.self) { group in
      group.addTask { try await host.run() }
      do {
        try await body(host)
      } catch {
        host.beginShutdown()
        throw error
      }
      host.beginShutdown()
      try await group.waitForAll()
    }
  }

  func echo(_ host: FunctionsHost, _ text: String, function: String = "echo") async throws -> String? {
    var binding = AzureFunctionsRpcMessages_ParameterBinding()
    binding.name = "req"
    binding.data.string = text
    let output = try await host.invoke(InvocationInput(functionName: function, inputData: [binding]))
    return output.returnValue?.string
  }

  @Test func theFunctionTimeoutIsATimerOnTheHostsClock() async throws {
    let clock = ManualClock()
    try await withHost(ScriptedWorkerRunner(.conforming), clock: clock, functionTimeout: .seconds(300)) { host in
      _ = try await host.waitForStartup()
      try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask {
          // `slow` waits 600 s of real time unless cancelled: only the test clock can end it sooner.
          let error = await #expect(throws: FunctionsHostError.self) { try await echo(host, "600|late", function: "slow") }
          #expect(error?.code == .timeout, "\(String(describing: error))")
        }
        await clock.waitForSleeper(until: .seconds(300))
        clock.advance(by: .seconds(300))
        try await group.waitForAll()
      }
      #expect(try await echo(host, "still serving") == "still serving", "InvocationCancel kept the worker")
      #expect(host.workers().first?.starts == 1)
    }
  }

  @Test func anyNumberOfStartupWaitersResumeAndWorkersServe() async throws {
    try await withHost(ScriptedWorkerRunner(.conforming), workers: 2) { host in
      let reports = try await withThrowingTaskGroup(of: Int.self) { group in
        for _ in 0..<5 {
          group.addTask { try await host.waitForStartup().readyWorkers }
          group.addTask { try await host.rpcPort() > 0 ? 1 : 0 }
        }
        var results: [Int] = []
        for try await r in group { results.append(r) }
        return results
      }
      #expect(reports.count == 10)
      #expect(try await host.waitForStartup().readyWorkers == 2)
      #expect(host.workers().map(\.isReady) == [true, true])
      for i in 0..<4 { #expect(try await echo(host, "hello \(i)") == "hello \(i)") }
    }
  }

  @Test func aCancelledStartupWaiterDoesNotHurtTheOthers() async throws {
    try await withHost(ScriptedWorkerRunner(.conforming)) { host in
      let cancelled = Task { try await host.waitForStartup() }
      cancelled.cancel()
      _ = await cancelled.result
      let report = try await host.waitForStartup()
      #expect(report.readyWorkers == 1)
    }
  }

  @Test func aCrashMidInvocationFailsItNamingTheExitAndTheSlotRestarts() async throws {
    let runner = ScriptedWorkerRunner { _, start in start == 0 ? .crashMidInvocation : .conforming }
    try await withHost(runner) { host in
      _ = try await host.waitForStartup()
      let error = await #expect(throws: FunctionsHostError.self) { try await echo(host, "boom") }
      #expect(error?.code == .workerExited)
      #expect(error?.message.contains("exited with code 3") == true, "\(error?.message ?? "")")
      // The dispatcher waits for the restarted worker.
      #expect(try await echo(host, "after") == "after")
      #expect(runner.started == 2)
    }
  }

  /// A runner whose first starts are refused as ``SubprocessWorkerRunner`` refuses them when the host is
  /// short of descriptors (see `DescriptorReserveTests`), then starts scripted workers.
  struct ShortOfDescriptorsAtFirst: WorkerProcessRunning {
    let refusals: Int
    let scripted = ScriptedWorkerRunner(.conforming)
    let calls = ScriptedWorkerRunner.Counter()

    func run(
      _ launch: WorkerProcessLaunch, slot: Int, logger: Logger, terminate: Promise<Void>,
      onStart: @Sendable (Int32) -> Void
    ) async -> WorkerLifecycle.Event {
      guard calls.next() >= refusals else {
        return .processFailedToStart("scripted: Too many open files (EMFILE); the start is retried")
      }
      return await scripted.run(launch, slot: slot, logger: logger, terminate: terminate, onStart: onStart)
    }
  }

  @Test func startsRefusedForLackOfDescriptorsAreRetriedWithBackoffAndTheHostServes() async throws {
    let runner = ShortOfDescriptorsAtFirst(refusals: 3)
    try await withHost(runner) { host in
      // Startup settles after the first refusal; the slot keeps being retried.
      _ = try await host.waitForStartup()
      #expect(try await echo(host, "after the refusals") == "after the refusals", "the dispatcher waited for the retried slot")
      #expect(runner.calls.value == 4, "three refused starts, then one that ran")
      #expect(host.workers().first?.starts == 4)
    }
  }

  @Test(arguments: [ScriptedWorker.Mode.noStartStream, .slowInit, .failedInit])
  func aWorkerThatCannotStartSettlesStartupAndIsRetried(mode: ScriptedWorker.Mode) async throws {
    let runner = ScriptedWorkerRunner(mode)
    try await withHost(runner, startTimeouts: .milliseconds(300)) { host in
      let report = try await host.waitForStartup()
      #expect(report.readyWorkers == 0)
    }
    #expect(runner.started >= 1)
  }

  @Test func aWorkerThatStopsAnsweringHealthProbesIsReplacedOnTheHostsClock() async throws {
    let clock = ManualClock()
    let runner = ScriptedWorkerRunner { _, start in start == 0 ? .ignoresStatusRequest : .conforming }
    try await withHost(
      runner, startTimeouts: .seconds(60), clock: clock, health: (.seconds(7), .seconds(11))
    ) { host in
      _ = try await host.waitForStartup()
      await clock.waitForSleeper(until: .seconds(7))
      clock.advance(by: .seconds(7))  // probe 1 is sent and not answered
      await clock.waitForSleeper(until: .seconds(18))
      clock.advance(by: .seconds(11))  // its timeout: the worker is replaced
      // The restart backoff (about 100 ms) runs on the same clock.
      await clock.waitForSleeper { $0 > .seconds(18) && $0 <= .seconds(19) }
      clock.advance(by: .seconds(1))
      #expect(try await echo(host, "replaced") == "replaced")
      #expect(runner.started == 2)
    }
  }
}
