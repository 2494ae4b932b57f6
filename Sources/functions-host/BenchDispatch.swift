internal import ArgumentParser
internal import Foundation
internal import FunctionsHostCore
internal import FunctionsPythonWorker
internal import FunctionsRPC
internal import Logging
internal import Synchronization

/// `functions-host bench-dispatch`: drives the host's dispatch path in-process (no HTTP), with
/// `concurrency` callers invoking one function for a fixed time, and reports invocations/s, latency and
/// the host process's CPU per invocation (hidden; used by `scripts/bench/dispatch.sh`).
struct BenchDispatch: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench-dispatch", abstract: "Measure the host's dispatch path without HTTP.", shouldDisplay: false)

  @Option(name: .long, help: "The function app folder.") var scriptRoot: String
  @Option(name: .long, help: "The function to invoke (an HTTP-triggered one).") var function: String = "hello"
  @Option(name: .long) var workers: Int = 2
  @Option(name: .long, help: "uds or grpc.") var transport: String = "uds"
  @Option(name: .long, help: "Invocations in flight.") var concurrency: Int = 64
  @Option(name: .long) var seconds: Double = 10
  @Option(name: .customLong("worker-command"), help: "A worker command (default: the bundled Python worker).")
  var workerCommand: String?

  func run() async throws {
    let environment = ProcessInfo.processInfo.environment
    LoggingSystem.bootstrap { label in ConsoleLogHandler(label: label, level: .warning) }
    let logger = Logger(label: "bench")
    let app = try FunctionApp.load(scriptRoot: scriptRoot)
    var worker: WorkerDescription
    if let workerCommand {
      worker = try WorkerDescription.command(workerCommand, workerDirectory: app.scriptRoot)
    } else {
      let cache = BundledPythonWorker.defaultCacheDirectory(environment: environment)
      let bundled = try BundledPythonWorker.materialize(into: cache)
      let python = try await PythonEnvironment(
        configuration: .defaults(cacheDirectory: cache, workerRequirementsFile: bundled.requirementsFile)
      ).prepare(appRoot: app.scriptRoot, environment: environment, logger: logger)
      worker = WorkerDescription(
        executable: python.executable, workerPath: bundled.workerScript, workerDirectory: bundled.directory,
        environment: python.environment)
      worker.supportsUnixSocketTransport = true
      worker.readsWorkerIDFromEnvironment = true
    }
    var configuration = FunctionsHost.Configuration(
      scriptRoot: app.scriptRoot, worker: worker, workerCount: workers, environment: environment)
    configuration.transport = FunctionsHost.Transport(rawValue: transport) ?? .unixSocket
    let host = FunctionsHost(configuration: configuration, logger: logger)
    let input = Self.input(function: function)
    let seconds = self.seconds
    let concurrency = self.concurrency
    try await withThrowingTaskGroup(of: Void.self) { group in
      group.addTask { try await host.run() }
      let report = try await host.waitForStartup()
      guard report.readyWorkers > 0 else { throw ValidationError("no worker became ready") }
      // Warm up, then measure.
      _ = try await Self.drive(host: host, input: input, concurrency: concurrency, seconds: min(2, seconds))
      let cpu0 = Self.processCPU()
      let result = try await Self.drive(host: host, input: input, concurrency: concurrency, seconds: seconds)
      let cpu = Self.processCPU() - cpu0
      let n = Double(result.latencies.count)
      let sorted = result.latencies.sorted()
      func pct(_ p: Double) -> Double { sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }
      print(
        String(
          format: "transport=%@ workers=%d concurrency=%d invocations=%d failures=%d rate=%.0f/s p50=%.3fms p99=%.3fms host_cpu_per_invocation=%.1fus",
          transport, workers, concurrency, result.latencies.count, result.failures, n / result.elapsed,
          pct(0.5) * 1000, pct(0.99) * 1000, cpu / max(n, 1) * 1e6))
      host.beginShutdown()
      try await group.waitForAll()
    }
  }

  static func input(function: String) -> InvocationInput {
    var http = AzureFunctionsRpcMessages_RpcHttp()
    http.method = "GET"
    http.url = "http://127.0.0.1:7071/api/\(function)?name=Ada"
    http.headers = ["host": "127.0.0.1:7071", "user-agent": "bench", "accept": "*/*"]
    http.query = ["name": "Ada"]
    var data = AzureFunctionsRpcMessages_TypedData()
    data.http = http
    var binding = AzureFunctionsRpcMessages_ParameterBinding()
    binding.name = "req"
    binding.data = data
    var name = AzureFunctionsRpcMessages_TypedData()
    name.string = "Ada"
    return InvocationInput(functionName: function, inputData: [binding], triggerMetadata: ["name": name])
  }

  struct Result: Sendable {
    var latencies: [Double] = []
    var failures = 0
    var elapsed: Double = 0
  }

  static func drive(host: FunctionsHost, input: InvocationInput, concurrency: Int, seconds: Double) async throws -> Result {
    let start = ContinuousClock.now
    let deadline = start + .milliseconds(Int64(seconds * 1000))
    var total = Result()
    try await withThrowingTaskGroup(of: Result.self) { group in
      for _ in 0..<concurrency {
        group.addTask {
          var r = Result()
          r.latencies.reserveCapacity(100_000)
          while ContinuousClock.now < deadline {
            let t0 = ContinuousClock.now
            do { _ = try await host.invoke(input) } catch { r.failures += 1 }
            let d = ContinuousClock.now - t0
            r.latencies.append(Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18)
          }
          return r
        }
      }
      for try await r in group {
        total.latencies += r.latencies
        total.failures += r.failures
      }
    }
    let e = ContinuousClock.now - start
    total.elapsed = Double(e.components.seconds) + Double(e.components.attoseconds) / 1e18
    return total
  }

  static func processCPU() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec)
      + Double(usage.ru_stime.tv_usec) / 1e6
  }
}
