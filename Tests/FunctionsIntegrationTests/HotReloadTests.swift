import Foundation
import FunctionsHostCore
import Synchronization
import FunctionsTestSupport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// A change under the script root rolls the workers over one by one with zero failed requests.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct HotReloadTests {
  final class Tally: Sendable {
    let state = Mutex<(ok: Int, failed: [String], sawV2: Bool)>((0, [], false))
    let stop = Mutex(false)
  }

  @Test func reloadUnderLoadFailsNoRequest() async throws {
    let live = try await LiveHost.start(fixture: "reload", workers: 2) {
      $0.reloadOnChange = true
      $0.reloadPollInterval = .milliseconds(200)
    }
    try await live.stoppingAfter {
      let oldPIDs = live.host.workers().compactMap(\.pid)
      let oldProcesses = oldPIDs.compactMap(ProcessIdentity.init(pid:))
      #expect(try await live.request("GET", "/api/version").text == "v1")

      let tally = Tally()
      let (v2Seen, v2) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
      try await withThrowingTaskGroup(of: Void.self) { load in
        for _ in 0..<4 {
          load.addTask {
            while !tally.stop.withLock({ $0 }) {
              let r = try await live.request("GET", "/api/version")
              tally.state.withLock { t in
                if r.status == 200 {
                  t.ok += 1
                  if r.text == "v2" { t.sawV2 = true }
                } else {
                  t.failed.append("\(r.status) \(r.text)")
                }
              }
              if r.status == 200 && r.text == "v2" { v2.yield() }
            }
          }
        }
        // Change the code while the load runs.
        try "def main(req) -> str:\n    return \"v2\"  # changed\n".write(
          toFile: "\(live.appDirectory)/version/__init__.py", atomically: true, encoding: .utf8)
        let done = await live.logs.first(timeout: .seconds(60)) { $0.message.contains("hot reload: done") }
        #expect(done != nil, "the reload finished")
        if done != nil {
          // The load sees the new version (the router switched at the first new worker), then stops.
          var seen = v2Seen.makeAsyncIterator()
          _ = await seen.next()
        }
        tally.stop.withLock { $0 = true }
        try await load.waitForAll()
      }
      let (ok, failed, sawV2) = tally.state.withLock { ($0.ok, $0.failed, $0.sawV2) }
      #expect(failed.isEmpty, "no failed request during the reload: \(failed.prefix(5))")
      #expect(ok > 20)
      #expect(sawV2)
      #expect(try await live.request("GET", "/api/version").text == "v2")
      let newPIDs = live.host.workers().compactMap(\.pid)
      #expect(newPIDs.count == 2)
      #expect(Set(newPIDs).isDisjoint(with: oldPIDs), "every worker was replaced")
      for process in oldProcesses { #expect(!process.isAlive, "old worker \(process) is gone") }
      try await live.stop()
    }
  }
}
