extension WorkerPool {
  /// One worker as the choice sees it.
  package struct Candidate: Sendable, Hashable {
    /// Whether it takes invocations now.
    package var isReady: Bool
    /// The function's load state on it.
    package var loadState: WorkerChannel.LoadState?
    /// Invocations in flight on it.
    package var outstanding: Int
    /// Whether its stream lives on the caller's event loop (no thread hop either way).
    package var isLocal: Bool

    /// A candidate.
    package init(isReady: Bool, loadState: WorkerChannel.LoadState?, outstanding: Int, isLocal: Bool = false) {
      self.isReady = isReady
      self.loadState = loadState
      self.outstanding = outstanding
      self.isLocal = isLocal
    }
  }

  /// The outcome of a choice: an index into the candidates, or why there is none.
  package enum Choice: Sendable, Hashable {
    case worker(Int)
    case loadFailed(String)
    case noneReady
    case allBusy
  }

  /// How many more invocations in flight a worker on the caller's event loop may have than the least
  /// busy one and still be chosen (``Strategy/leastOutstanding``). Zero: locality only breaks ties, so a
  /// worker holding a stuck invocation is never preferred over an idle one.
  package static let localSlack = 0

  /// Chooses a worker among `candidates`, purely (see the type's documentation).
  ///
  /// - Parameters:
  ///   - limit: the per-worker concurrency limit (0 = none).
  ///   - turn: the round-robin counter.
  ///   - random: `random(n)` returns a number in `0..<n` (ties of least-outstanding).
  package static func choose(
    _ candidates: [Candidate], strategy: HostJSON.DispatchOptions.Strategy, limit: Int, turn: Int,
    random: (Int) -> Int = { Int.random(in: 0..<$0) }
  ) -> Choice {
    // Allocation-free: one pass for the eligible count and the least outstanding, a second for the pick.
    var failure: String? = nil
    var anyLoaded = false
    var eligibleCount = 0
    var least = Int.max
    var leastCount = 0
    func isEligible(_ c: Candidate) -> Bool {
      guard c.isReady, case .loaded = c.loadState else { return false }
      return limit == 0 || c.outstanding < limit
    }
    for c in candidates where c.isReady {
      switch c.loadState {
      case .loaded:
        anyLoaded = true
        guard limit == 0 || c.outstanding < limit else { continue }
        eligibleCount += 1
        if c.outstanding < least {
          least = c.outstanding
          leastCount = 1
        } else if c.outstanding == least {
          leastCount += 1
        }
      case .failed(let message): failure = message
      case .loading, .none: continue
      }
    }
    if eligibleCount > 0 {
      // The n-th eligible candidate (n from 0) that `matches`.
      func nth(_ n: Int, where matches: (Candidate) -> Bool) -> Int {
        var seen = 0
        for (index, c) in candidates.enumerated() where isEligible(c) && matches(c) {
          if seen == n { return index }
          seen += 1
        }
        preconditionFailure("counted candidates changed")
      }
      switch strategy {
      case .leastOutstanding:
        for (index, c) in candidates.enumerated() where c.isLocal && isEligible(c) && c.outstanding <= least + localSlack {
          return .worker(index)
        }
        return .worker(nth(leastCount == 1 ? 0 : random(leastCount)) { $0.outstanding == least })
      case .roundRobin:
        return .worker(nth((turn & Int.max) % eligibleCount) { _ in true })
      }
    }
    if anyLoaded { return .allBusy }
    if let failure { return .loadFailed(failure) }
    return .noneReady
  }
}
