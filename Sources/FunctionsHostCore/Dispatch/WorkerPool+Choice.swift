extension WorkerPool {
  /// One worker as the choice sees it.
  package struct Candidate: Sendable, Hashable {
    /// Whether it takes invocations now.
    package var isReady: Bool
    /// The function's load state on it.
    package var loadState: WorkerChannel.LoadState?
    /// Invocations in flight on it.
    package var outstanding: Int

    /// A candidate.
    package init(isReady: Bool, loadState: WorkerChannel.LoadState?, outstanding: Int) {
      self.isReady = isReady
      self.loadState = loadState
      self.outstanding = outstanding
    }
  }

  /// The outcome of a choice: an index into the candidates, or why there is none.
  package enum Choice: Sendable, Hashable {
    case worker(Int)
    case loadFailed(String)
    case noneReady
    case allBusy
  }

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
    var failure: String? = nil
    var anyLoaded = false
    var eligible: [Int] = []
    for (index, c) in candidates.enumerated() where c.isReady {
      switch c.loadState {
      case .loaded:
        anyLoaded = true
        if limit == 0 || c.outstanding < limit { eligible.append(index) }
      case .failed(let message): failure = message
      case .loading, .none: continue
      }
    }
    if !eligible.isEmpty {
      switch strategy {
      case .leastOutstanding:
        let least = eligible.map { candidates[$0].outstanding }.min()!
        let ties = eligible.filter { candidates[$0].outstanding == least }
        return .worker(ties.count == 1 ? ties[0] : ties[random(ties.count)])
      case .roundRobin:
        return .worker(eligible[(turn & Int.max) % eligible.count])
      }
    }
    if anyLoaded { return .allBusy }
    if let failure { return .loadFailed(failure) }
    return .noneReady
  }
}
