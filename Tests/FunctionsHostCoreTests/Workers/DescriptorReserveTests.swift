import Foundation
import Logging
import Synchronization
import Testing

@testable import FunctionsHostCore

#if canImport(Glibc)
  import Glibc
#endif

/// Worker starts when the descriptor table is (nearly) full: refused before swift-subprocess is called,
/// never a crash.
@Suite struct DescriptorReserveTests {
  /// Opens real descriptors until `limit` are open through it, then fails with EMFILE.
  final class LimitedOpener: Sendable {
    let open = Mutex<Set<Int32>>([])
    let limit: Mutex<Int>
    init(limit: Int) { self.limit = Mutex(limit) }

    var opener: @Sendable () -> Int32 {
      {
        let allowed = self.limit.withLock { $0 }
        if self.open.withLock({ s in s.formIntersection(Self.stillOpen(s)); return s.count }) >= allowed {
          errno = EMFILE
          return -1
        }
        let fd = Glibc.open("/dev/null", O_RDONLY | O_CLOEXEC)
        self.open.withLock { _ = $0.insert(fd) }
        return fd
      }
    }

    static func stillOpen(_ fds: Set<Int32>) -> Set<Int32> { fds.filter { fcntl($0, F_GETFD) != -1 } }
  }

  @Test func holdsItsDescriptorsAndFreesThemForASpawn() throws {
    let reserve = DescriptorReserve(count: 8, headroom: 4)
    #expect(reserve.heldCount == 8)
    try reserve.prepareForSpawn()
    #expect(reserve.heldCount == 0)
    reserve.replenish()
    #expect(reserve.heldCount == 8)
  }

  @Test func refusesASpawnWhenTooFewDescriptorsAreFree() throws {
    let opener = LimitedOpener(limit: 10)
    let reserve = DescriptorReserve(count: 8, headroom: 4, opener: opener.opener)
    #expect(reserve.heldCount == 6, "4 of the 10 free descriptors are left free")
    try reserve.prepareForSpawn()
    reserve.replenish()
    opener.limit.withLock { $0 = 5 }  // the rest of the process took more descriptors meanwhile
    reserve.replenish()
    #expect(reserve.heldCount <= 6)
    #expect {
      try reserve.prepareForSpawn()
    } throws: { error in
      let message = (error as? FunctionsHostError)?.message ?? ""
      return message.contains("Too many open files") && message.contains("retried")
    }
    #expect(reserve.heldCount == 0, "a refused start holds nothing back")
  }

  @Test func aRunnerShortOfDescriptorsReportsAFailedStartInsteadOfCrashing() async {
    let opener = LimitedOpener(limit: 2)
    let runner = SubprocessWorkerRunner(reserve: DescriptorReserve(count: 8, headroom: 2, opener: opener.opener))
    let launch = WorkerProcessLaunch(
      executable: "/bin/sh", arguments: ["-c", "exit 0"], environment: [:], workingDirectory: "/",
      terminateGrace: .seconds(1))
    let end = await runner.run(launch, slot: 0, logger: Logger(label: "test"), terminate: Promise()) { _ in
      Issue.record("the process must not be started")
    }
    guard case .processFailedToStart(let why) = end else {
      Issue.record("expected processFailedToStart, got \(end)")
      return
    }
    #expect(why.contains("file descriptors"), "\(why)")

    // Descriptors freed: the next start works.
    opener.limit.withLock { $0 = 100 }
    let started = Mutex(false)
    let next = await runner.run(launch, slot: 0, logger: Logger(label: "test"), terminate: Promise()) { _ in
      started.withLock { $0 = true }
    }
    #expect(started.withLock { $0 })
    guard case .processExited = next else {
      Issue.record("expected processExited, got \(next)")
      return
    }
  }
}
