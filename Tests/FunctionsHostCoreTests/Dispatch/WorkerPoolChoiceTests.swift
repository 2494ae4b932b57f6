import Testing

@testable import FunctionsHostCore

@Suite struct WorkerPoolChoiceTests {
  typealias C = WorkerPool.Candidate

  @Test func leastOutstandingTakesTheIdlestReadyLoadedWorker() {
    let candidates = [
      C(isReady: true, loadState: .loaded, outstanding: 3),
      C(isReady: false, loadState: .loaded, outstanding: 0),
      C(isReady: true, loadState: .loading, outstanding: 0),
      C(isReady: true, loadState: .loaded, outstanding: 1),
    ]
    #expect(WorkerPool.choose(candidates, strategy: .leastOutstanding, limit: 0, turn: 0) == .worker(3))
  }

  @Test func tiesAreBrokenByTheRandomSource() {
    let candidates = Array(repeating: C(isReady: true, loadState: .loaded, outstanding: 0), count: 3)
    #expect(WorkerPool.choose(candidates, strategy: .leastOutstanding, limit: 0, turn: 0, random: { _ in 2 }) == .worker(2))
    #expect(WorkerPool.choose(candidates, strategy: .leastOutstanding, limit: 0, turn: 0, random: { _ in 0 }) == .worker(0))
  }

  @Test func roundRobinTakesTurnsAmongEligibleWorkers() {
    let candidates = [
      C(isReady: true, loadState: .loaded, outstanding: 5),
      C(isReady: true, loadState: .failed("x"), outstanding: 0),
      C(isReady: true, loadState: .loaded, outstanding: 0),
    ]
    let picks = (0..<4).map { WorkerPool.choose(candidates, strategy: .roundRobin, limit: 0, turn: $0) }
    #expect(picks == [.worker(0), .worker(2), .worker(0), .worker(2)])
  }

  @Test(arguments: [HostJSON.DispatchOptions.Strategy.leastOutstanding, .roundRobin])
  func whyThereIsNoWorker(strategy: HostJSON.DispatchOptions.Strategy) {
    let busy = [C(isReady: true, loadState: .loaded, outstanding: 2)]
    #expect(WorkerPool.choose(busy, strategy: strategy, limit: 2, turn: 0) == .allBusy)
    let failed = [C(isReady: true, loadState: .failed("ImportError"), outstanding: 0)]
    #expect(WorkerPool.choose(failed, strategy: strategy, limit: 0, turn: 0) == .loadFailed("ImportError"))
    let starting = [C(isReady: false, loadState: .loaded, outstanding: 0), C(isReady: true, loadState: nil, outstanding: 0)]
    #expect(WorkerPool.choose(starting, strategy: strategy, limit: 0, turn: 0) == .noneReady)
    #expect(WorkerPool.choose([], strategy: strategy, limit: 0, turn: 0) == .noneReady)
  }

  @Test func aWorkerOnTheCallersEventLoopWinsWithinTheSlackOnly() {
    let near = [
      C(isReady: true, loadState: .loaded, outstanding: 1),
      C(isReady: true, loadState: .loaded, outstanding: 1 + WorkerPool.localSlack, isLocal: true),
    ]
    #expect(WorkerPool.choose(near, strategy: .leastOutstanding, limit: 0, turn: 0, random: { _ in 0 }) == .worker(1))
    // A worker holding a stuck invocation is not preferred for being local.
    let stuck = [
      C(isReady: true, loadState: .loaded, outstanding: 0),
      C(isReady: true, loadState: .loaded, outstanding: 1, isLocal: true),
    ]
    #expect(WorkerPool.choose(stuck, strategy: .leastOutstanding, limit: 0, turn: 0) == .worker(0))
    let far = [
      C(isReady: true, loadState: .loaded, outstanding: 1),
      C(isReady: true, loadState: .loaded, outstanding: 2 + WorkerPool.localSlack, isLocal: true),
    ]
    #expect(WorkerPool.choose(far, strategy: .leastOutstanding, limit: 0, turn: 0) == .worker(0))
    // The concurrency limit still holds for a local worker.
    let full = [
      C(isReady: true, loadState: .loaded, outstanding: 0),
      C(isReady: true, loadState: .loaded, outstanding: 2, isLocal: true),
    ]
    #expect(WorkerPool.choose(full, strategy: .leastOutstanding, limit: 2, turn: 0) == .worker(0))
  }
}
