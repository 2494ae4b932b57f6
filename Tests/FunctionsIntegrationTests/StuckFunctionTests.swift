import Foundation
import FunctionsHostCore
import FunctionsTestSupport
import Testing

/// Sync functions that run on after their functionTimeout (a `while True` loop Python cannot stop):
/// the bundled worker reports them, the host replaces the worker without failing anybody else, and
/// more stuck calls than the worker has threads never leave the app answering 504.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct StuckFunctionTests {
  @Test func stuckSyncCallsReplaceTheWorkerAndTheAppKeepsServing() async throws {
    // Two threads per worker: before the fix, two stuck calls made every sync function answer 504.
    let live = try await LiveHost.start(fixture: "stuck", workers: 1) { config in
      config.environment["PYTHON_THREADPOOL_THREAD_COUNT"] = "2"
    }
    try await live.stoppingAfter {
      let firstPID = try #require(Int32(try await live.request("GET", "/api/pid").text))
      let firstWorker = try #require(ProcessIdentity(pid: firstPID))
      var pids: Set<String> = [String(firstPID)]

      for round in 1...3 {
        // A stuck call; then, at once, a bystander: it lands on the stuck worker while its
        // replacement starts (or on the replacement) and finishes normally either way (the stuck
        // worker drains before it stops).
        let stuck = try await live.request("GET", "/api/spin")
        #expect(stuck.status == 504, "round \(round): \(stuck.status) \(stuck.text)")
        let bystander = try await live.request("GET", "/api/slowsync?s=2")
        #expect(bystander.status == 200 && bystander.text == "slow", "round \(round): bystander \(bystander.status) \(bystander.text)")

        let replaced = await live.logs.waitFor(count: round, timeout: .seconds(30)) {
          $0.message.contains("keeps running in a thread the worker cannot stop")
        }
        #expect(replaced, "round \(round): the host heard that the call keeps running")
        let drained = await live.logs.waitFor(count: round, timeout: .seconds(60)) {
          $0.message.contains("drained; stopping it") || $0.message.contains("still had invocations in flight")
        }
        #expect(drained, "round \(round): the stuck worker drained and stopped")
        let pid = try await live.request("GET", "/api/pid")
        #expect(pid.status == 200, "round \(round): \(pid.status) \(pid.text)")
        pids.insert(pid.text)
      }
      #expect(pids.count == 4, "every stuck worker was replaced: \(pids.sorted())")
      // The first worker's spinning thread does not burn a core forever: its process is gone.
      let stopped = await live.logs.waitFor(count: 3, timeout: .seconds(30)) { $0.message.contains(" stopped (") }
      #expect(stopped)
      #expect(!firstWorker.isAlive, "the first stuck worker's process ended")
      #expect(live.host.workers().count == 1, "the pool has one worker again: \(live.host.workers())")
      #expect(live.host.workers().allSatisfy { $0.isReady })
      try await live.stop()
    }
  }
}
