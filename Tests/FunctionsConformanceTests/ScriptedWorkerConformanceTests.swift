import Foundation
import FunctionsConformance
import FunctionsHostCore
import Testing

/// The kit against its own scripted worker: the conforming mode passes; every fault mode is caught
/// (the mutation check); the fake-worker process mode works through the real binary.
@Suite(.timeLimit(.minutes(3)))
struct ScriptedWorkerConformanceTests {
  @Test func conformingScriptedWorkerPasses() async throws {
    let report = try await ConformanceSuite(configuration: TestWorkers.configuration())
      .run(.scripted(ScriptedWorker(mode: .conforming)))
    for result in report.results where result.status == .failed {
      Issue.record("\(result.name): \(result.message)")
    }
    #expect(report.passed)
    // The scripted worker does not index decorator apps nor advertise HttpUri; everything else applies to it.
    #expect(
      report.results.filter { $0.status == .skipped }.map(\.name) == ["worker-indexing", "http-proxy", "http-proxy-tcp"])
  }

  /// A worker without HttpUri: the proxying scenarios do not apply (skipped, saying why), they do not fail.
  @Test func httpProxyIsNotApplicableWithoutHttpUri() async throws {
    let report = try await ConformanceSuite(configuration: TestWorkers.configuration(only: ["http-proxy", "http-proxy-tcp"]))
      .run(.scripted(ScriptedWorker(mode: .conforming)))
    for name in ["http-proxy", "http-proxy-tcp"] {
      let result = try #require(report[name])
      #expect(result.status == .skipped, "\(name): \(result.status) \(result.message)")
      #expect(result.message.contains("does not advertise HttpUri"), "\(result.message)")
    }
    #expect(report.passed)
  }

  /// Broken proxying workers fail `http-proxy` with a message that names the problem.
  @Test(arguments: [
    (ScriptedWorker.Mode.deadHttpUri, "nothing listens there"),
    (.deadHttpUri, "http+unix://%2Fnonexistent-functions-conformance%2Fdead.sock"),
    (.malformedHttpUri, "HttpUri 'localhost:7072' has an unknown scheme"),
    (.httpUriWithoutRouteParameters, "RequiresRouteParameters is absent"),
  ])
  func brokenHttpProxyFailsClearly(_ mode: ScriptedWorker.Mode, _ text: String) async throws {
    let report = try await ConformanceSuite(configuration: TestWorkers.configuration(only: ["http-proxy"]))
      .run(.scripted(ScriptedWorker(mode: mode)))
    let result = try #require(report["http-proxy"])
    #expect(result.status == .failed)
    #expect(result.message.contains(text), "\(mode.rawValue): \(result.message)")
  }

  static let faults = ScriptedWorker.Mode.allCases.filter { $0.expectedCatcher != nil }

  @Test func atLeastFifteenFaults() {
    #expect(Self.faults.count >= 15)
  }

  /// Mutation check: each deliberate fault makes its catching scenario fail (and the conforming worker
  /// passes that same scenario, see above).
  @Test(arguments: faults)
  func faultIsCaught(_ mode: ScriptedWorker.Mode) async throws {
    let catcher = try #require(mode.expectedCatcher)
    let suite = try ConformanceSuite(configuration: TestWorkers.configuration(only: [catcher], short: true))
    let report = try await suite.run(.scripted(ScriptedWorker(mode: mode)))
    let result = try #require(report[catcher])
    #expect(result.status == .failed, "fault \(mode.rawValue) was not caught by \(catcher): \(result.status) \(result.message)")
    #expect(!report.passed)
  }

  /// The hidden `fake-worker` command: the scripted worker as a real worker process.
  @Test func fakeWorkerProcessModeThroughTheBinary() async throws {
    let binary = try #require(TestWorkers.functionsHostBinary, "build functions-host first (swift build --build-tests)")
    let good = WorkerUnderTest.process(
      WorkerDescription(executable: binary, arguments: ["fake-worker", "--mode", "conforming"], workerDirectory: "/tmp"))
    let only: Set<String> = ["start-stream", "invoke-string", "large-messages", "worker-terminate"]
    let report = try await ConformanceSuite(configuration: TestWorkers.configuration(only: only)).run(good)
    #expect(report.passed, "\(report.table)")
    #expect(report.count(.passed) == only.count)

    let crashing = WorkerUnderTest.process(
      WorkerDescription(
        executable: binary, arguments: ["fake-worker", "--mode", "crash-mid-invocation"], workerDirectory: "/tmp"))
    let crashed = try await ConformanceSuite(configuration: TestWorkers.configuration(only: ["invoke-string"], short: true))
      .run(crashing)
    #expect(crashed["invoke-string"]?.status == .failed)
    #expect(crashed["invoke-string"]?.message.contains("exited with code 3") == true, "\(crashed["invoke-string"]?.message ?? "")")
  }
}
