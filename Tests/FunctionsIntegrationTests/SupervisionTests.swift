import Foundation
import FunctionsHostCore
import FunctionsTestSupport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// Crashes, hangs, timeouts and shutdown: what the caller sees, and that nothing hangs.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct SupervisionTests {
  static let fakeWorker = "\(TestPython.packageRoot)/Tests/FunctionsIntegrationTests/Fixtures/fakeworkers/misbehave.py"

  static func misbehaving(_ mode: String) async throws -> WorkerDescription {
    var worker = try await TestPython.prepared().worker
    worker.arguments = [fakeWorker, mode]
    worker.workerPath = nil
    worker.readsWorkerIDFromEnvironment = false  // misbehave.py takes the stock launch arguments
    worker.supportsUnixSocketTransport = false  // and connects over TCP
    return worker
  }

  @Test func killMinus9MidInvocationFailsTheCallerAtOnceAndTheWorkerComesBack() async throws {
    let live = try await LiveHost.start(fixture: "supervision", workers: 2)
    try await live.stoppingAfter {
      let crash = try await live.request("GET", "/api/crash")
      #expect(crash.status == 503, "\(crash.text)")
      #expect(crash.text.contains("signal 9"), "the body names the exit: \(crash.text)")
      #expect(crash.header("retry-after") != nil)
      // The other worker keeps serving while the dead one restarts.
      #expect((try await live.request("GET", "/api/hello")).text == "hello")
      let restarted = await live.logs.first(timeout: .seconds(30)) { $0.message.contains("will be restarted") }
      #expect(restarted != nil)
      let readyAgain = await live.logs.waitFor(count: 3, timeout: .seconds(30)) { $0.message.contains("is ready") }
      #expect(readyAgain, "the crashed worker was replaced")
      #expect(live.host.workers().contains { $0.starts == 2 && $0.isReady })
      try await live.stop()
    }
  }

  @Test func timeoutWithCancelHonouredGives504AndKeepsTheWorker() async throws {
    let live = try await LiveHost.start(fixture: "supervision", workers: 1)
    try await live.stoppingAfter {
      let pidBefore = try await live.request("GET", "/api/pid").text
      let slow = try await live.request("GET", "/api/sleep?s=30")
      #expect(slow.status == 504, "\(slow.text)")
      let invocationID = try #require(slow.json?["invocationId"] as? String)
      let cancelled = await live.logs.first(timeout: .seconds(30)) {
        $0.metadata["invocationId"] == invocationID && $0.message.contains("finished after its timeout")
      }
      #expect(cancelled != nil, "the worker answered the InvocationCancel")
      #expect(try await live.request("GET", "/api/pid").text == pidBefore, "the same worker keeps serving")
      #expect(live.host.workers().first?.starts == 1)
      try await live.stop()
    }
  }

  @Test func timeoutWithCancelIgnoredReplacesTheWorkerAndDrainsIt() async throws {
    let live = try await LiveHost.start(fixture: "supervision", workers: 1)
    try await live.stoppingAfter {
      async let blocked = live.request("GET", "/api/block?s=60")
      // A second invocation on the same worker, queued behind the blocked event loop.
      async let bystander = live.request("GET", "/api/sleep?s=0.1")
      let (b, other) = try await (blocked, bystander)
      #expect(b.status == 504, "\(b.text)")
      #expect([503, 504].contains(other.status), "the bystander fails cleanly, it does not hang: \(other.status) \(other.text)")
      let replaced = await live.logs.first(timeout: .seconds(30)) { $0.message.contains("starting a replacement worker") }
      #expect(replaced != nil)
      let hello = try await live.request("GET", "/api/hello")
      #expect(hello.text == "hello", "a fresh worker serves: \(hello.status) \(hello.text)")
      try await live.stop()
    }
  }

  @Test func workerThatNeverConnects() async throws {
    // A process that lives but never connects (the launch arguments become the shell's $0, $1, …).
    let worker = WorkerDescription(executable: "/bin/sh", arguments: ["-c", "exec sleep 600"], workerDirectory: "/tmp")
    let live = try await LiveHost.start(fixture: "supervision", workers: 1, worker: worker) {
      $0.startTimeout = .seconds(1)
      $0.dispatchWaitTimeout = .seconds(2)
    }
    try await live.stoppingAfter {
      let logged = await live.logs.first(timeout: .seconds(30)) { $0.message.contains("did not open its stream") }
      #expect(logged != nil)
      let response = try await live.request("GET", "/api/hello")
      #expect(response.status == 503, "\(response.text)")
      let processes = live.host.workers().compactMap { $0.pid.flatMap(ProcessIdentity.init(pid:)) }
      try await live.stop()
      for process in processes { #expect(!process.isAlive, "the sleeping process \(process) was killed") }
    }
  }

  @Test func workerThatHangsInInit() async throws {
    let live = try await LiveHost.start(fixture: "supervision", workers: 1, worker: try await Self.misbehaving("hang-init")) {
      $0.initTimeout = .seconds(1)
      $0.dispatchWaitTimeout = .seconds(2)
    }
    try await live.stoppingAfter {
      let logged = await live.logs.first(timeout: .seconds(30)) { $0.message.contains("did not answer WorkerInitRequest") }
      #expect(logged != nil)
      #expect((try await live.request("GET", "/api/hello")).status == 503)
      try await live.stop()
    }
  }

  @Test func workerThatExitsDuringLoad() async throws {
    let live = try await LiveHost.start(fixture: "supervision", workers: 1, worker: try await Self.misbehaving("exit-on-load")) {
      $0.dispatchWaitTimeout = .seconds(2)
    }
    try await live.stoppingAfter {
      let logged = await live.logs.first(timeout: .seconds(30)) { $0.message.contains("exited with code 3") }
      #expect(logged != nil, "the exit code is reported")
      #expect(logged?.message.contains("exit-on-load: exiting") == true, "with the last stderr lines: \(logged?.message ?? "")")
      #expect((try await live.request("GET", "/api/hello")).status == 503)
      try await live.stop()
    }
  }

  @Test func shutdownDrainsRequestsInFlight() async throws {
    let live = try await LiveHost.start(fixture: "supervision", workers: 2)
    let inFlight = (0..<6).map { _ in Task { try await live.request("GET", "/api/sleep?s=1") } }
    // Shut down once all six are running in the workers.
    let started = await live.logs.waitFor(count: 6, timeout: .seconds(30)) { $0.message.contains("sleep-start") }
    #expect(started)
    let processes = live.host.workers().compactMap { $0.pid.flatMap(ProcessIdentity.init(pid:)) }
    try await live.stop()
    for task in inFlight {
      let response = try await task.value
      #expect(response.status == 200 && response.text == "slept", "\(response.status) \(response.text)")
    }
    for process in processes { #expect(!process.isAlive, "worker \(process) is gone") }
  }
}
