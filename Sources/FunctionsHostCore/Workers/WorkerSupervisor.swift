internal import Foundation
package import Logging
internal import Synchronization

/// Starts N workers in parallel, brings each through StartStream → init → (indexing) → load, hands it to
/// the pool, and restarts it with backoff when it dies.
///
/// Each worker's life is a ``WorkerLifecycle/StateMachine`` driven by `runWorker` (see
/// `WorkerSupervisor+Driver.swift`); this type keeps the slots, the generations (hot reload) and the
/// readiness that any number of callers may wait for.
package final class WorkerSupervisor: Sendable {
  package struct Settings: Sendable {
    var description: WorkerDescription
    var workerCount: Int
    var scriptRoot: String
    var startTimeout: Duration
    var initTimeout: Duration
    var loadTimeout: Duration
    var terminateGrace: Duration
    var drainTimeout: Duration
    var maxMessageLength: Int
    var hostVersion: String
    var backoff: Backoff
    /// How long a timed-out invocation may keep running after InvocationCancel before its worker is replaced.
    var cancelGrace: Duration = .seconds(5)
    /// How often a worker that advertises WorkerStatus is probed.
    var healthInterval: Duration = .seconds(10)
    /// How long a probe may take before the worker counts as hung and is replaced.
    var healthTimeout: Duration = .seconds(30)
    /// The Unix socket of the gRPC-over-Unix-socket transport, when chosen.
    var unixSocketPath: String? = nil
    /// The private directory where each bundled worker binds its own HTTP server's Unix socket
    /// (HTTP proxying; `FUNCTIONS_HOST_HTTP_SOCKET`).
    var httpSocketDirectory: String? = nil
    /// A worker that ran this long after becoming ready restarts without backoff.
    var healthyRun: Duration = .seconds(1)
    /// host.json `logging.logLevel`.
    var logLevels = LogLevelPolicy()
    /// The clock of every timer (a test clock in tests).
    var clock: TimerClock = .continuous
    /// What starts worker processes (in-process scripted workers in tests).
    var processRunner: any WorkerProcessRunning = SubprocessWorkerRunner()
    /// How long a process may outlive its stream before it is torn down.
    var streamLossGrace: Duration = .milliseconds(500)
    /// Told when a worker process starts or ends.
    var onWorkerEvent: (@Sendable (WorkerEvent) -> Void)? = nil

    /// The lifecycle state machine's timeouts.
    var timeouts: WorkerLifecycle.Timeouts {
      var t = WorkerLifecycle.Timeouts()
      t.start = startTimeout
      t.initialize = initTimeout
      t.load = loadTimeout
      t.drain = drainTimeout
      t.terminateGrace = terminateGrace
      t.healthInterval = healthInterval
      t.healthTimeout = healthTimeout
      t.streamLoss = streamLossGrace
      return t
    }
  }

  /// What a worker generation runs: the app's functions and environment at one point in time.
  package struct Generation: Sendable {
    var catalog: FunctionCatalog
    var environment: [String: String]
    var indexFallback: @Sendable () -> FunctionJSONIndexer.Result
  }

  private struct State {
    var shuttingDown = false
    var rolling = false
    var live: [Int: WorkerChannel] = [:]
    var starts: [Int: Int] = [:]
    var slotsSettled = Set<Int>()
    /// Slots that run now (each keeps one worker process alive).
    var activeSlots: [Int] = []
    var nextSlot = 0
    var retired = Set<Int>()
    var slotGeneration: [Int: Generation] = [:]
    var ready: [Int: Promise<Bool>] = [:]
    var exited: [Int: Promise<Void>] = [:]
    /// Completed with true the first time a slot's worker becomes ready (false if the slot ends first).
    var readyOnce: [Int: Promise<Bool>] = [:]
    var commands: AsyncStream<Int>.Continuation? = nil
  }

  let settings: Settings
  let registry: WorkerRegistry
  let pool: WorkerPool
  let logger: Logger
  private let state = Mutex(State())
  private let startup = Promise<Void>()

  package init(
    settings: Settings, registry: WorkerRegistry, pool: WorkerPool, generation first: Generation, logger: Logger
  ) {
    self.settings = settings
    self.registry = registry
    self.pool = pool
    self.logger = logger
    state.withLock { s in
      for slot in 0..<settings.workerCount {
        s.activeSlots.append(slot)
        s.slotGeneration[slot] = first
        s.ready[slot] = Promise()
        s.exited[slot] = Promise()
      }
      s.nextSlot = settings.workerCount
    }
  }

  /// Runs every slot until ``beginShutdown()``; returns once every worker process is gone.
  package func run(rpcPort: Int) async {
    let (commands, continuation) = AsyncStream<Int>.makeStream()
    let initial = state.withLock { s in
      s.commands = continuation
      if s.shuttingDown { continuation.finish() }
      return s.activeSlots
    }
    await withDiscardingTaskGroup { group in
      for slot in initial {
        group.addTask { await self.runSlot(slot, rpcPort: rpcPort) }
      }
      for await slot in commands {
        group.addTask { await self.runSlot(slot, rpcPort: rpcPort) }
      }
    }
  }

  /// Stops restarting workers and asks the live ones to finish.
  package func beginShutdown() {
    let (live, commands, ready, exited) = state.withLock { s in
      s.shuttingDown = true
      defer { s.commands = nil }
      return (Array(s.live.values), s.commands, Array(s.ready.values), Array(s.exited.values))
    }
    commands?.finish()
    for channel in live { channel.requestShutdown() }
    startup.complete(.success(()))
    // Slots that never ran (shutdown before run) settle here; running slots settle when they end.
    if commands == nil {
      for p in ready { p.complete(.success(false)) }
      for p in exited { p.complete(.success(())) }
    }
  }

  /// Replaces the workers one by one with workers of a new generation (hot reload): each new worker must
  /// be ready before an old one drains, so no request fails. `onFirstReady` runs when the first new
  /// worker is ready (the host then routes to the new functions). Returns false if a new worker could not
  /// start (the old workers then keep serving).
  package func roll(to generation: Generation, onFirstReady: @Sendable () -> Void) async -> Bool {
    let start = state.withLock { s -> (old: [Int], ok: Bool) in
      if s.rolling || s.shuttingDown { return ([], false) }
      s.rolling = true
      return (s.activeSlots, true)
    }
    guard start.ok else { return false }
    defer { state.withLock { $0.rolling = false } }
    var first = true
    for oldSlot in start.old {
      let next = state.withLock { s -> (slot: Int, ready: Promise<Bool>, commands: AsyncStream<Int>.Continuation?) in
        let slot = s.nextSlot
        s.nextSlot += 1
        s.slotGeneration[slot] = generation
        s.activeSlots.append(slot)
        let ready = Promise<Bool>()
        s.ready[slot] = ready
        s.exited[slot] = Promise()
        return (slot, ready, s.commands)
      }
      guard let commands = next.commands else { return false }
      commands.yield(next.slot)
      let ready = (try? await next.ready.value()) ?? false
      if !ready {
        logger.error("hot reload: the new worker \(next.slot) did not become ready; keeping the running workers")
        retire(next.slot)
        return false
      }
      if first {
        first = false
        onFirstReady()
      }
      // One old worker drains and exits before the next new one starts: at most N + 1 processes.
      let exited = state.withLock { $0.exited[oldSlot] }
      retire(oldSlot)
      try? await exited?.wait()
    }
    return true
  }

  /// Replaces the worker of `slot` without losing its other work: starts a worker of the same app
  /// version in a new slot and, once that one is ready (after restarts with backoff, if it fails to
  /// start), asks the old worker to drain and stop. The old slot is retired at once, so it is never
  /// restarted: if its worker dies meanwhile, the new slot takes its place. Returns false when nothing
  /// was started (shutdown, a hot reload under way, or the slot is already retired).
  package func replace(slot: Int) async -> Bool {
    let next = state.withLock { s -> (slot: Int, readyOnce: Promise<Bool>, commands: AsyncStream<Int>.Continuation)? in
      guard !s.shuttingDown, !s.rolling, !s.retired.contains(slot), let commands = s.commands,
        let generation = s.slotGeneration[slot]
      else { return nil }
      let new = s.nextSlot
      s.nextSlot += 1
      s.slotGeneration[new] = generation
      s.activeSlots.append(new)
      s.ready[new] = Promise()
      s.exited[new] = Promise()
      let readyOnce = Promise<Bool>()
      s.readyOnce[new] = readyOnce
      s.retired.insert(slot)
      s.activeSlots.removeAll { $0 == slot }
      return (new, readyOnce, commands)
    }
    guard let next else { return false }
    logger.info("worker \(next.slot) starts to replace worker \(slot)")
    next.commands.yield(next.slot)
    guard (try? await next.readyOnce.value()) == true else { return true }
    let channel = state.withLock { $0.live[slot] }
    channel?.requestShutdown()
    return true
  }

  private func retire(_ slot: Int) {
    let channel = state.withLock { s -> WorkerChannel? in
      s.retired.insert(slot)
      s.activeSlots.removeAll { $0 == slot }
      return s.live[slot]
    }
    channel?.requestShutdown()
  }

  /// Waits until every slot has either become ready once or failed its first start. Any number of
  /// callers may wait; cancelling one affects only that caller.
  package func waitForStartup() async {
    try? await startup.wait()
  }

  /// Status of each slot, for logs and admin endpoints.
  package func liveWorkers() -> [(slot: Int, pid: Int32?, outstanding: Int, ready: Bool, starts: Int)] {
    state.withLock { s in
      s.live.filter { !s.retired.contains($0.key) }.sorted { $0.key < $1.key }.map {
        (
          slot: $0.key, pid: $0.value.pid, outstanding: $0.value.outstanding, ready: $0.value.isReady,
          starts: s.starts[$0.key] ?? 0
        )
      }
    }
  }

  // MARK: - Slot bookkeeping for the driver

  /// A slot settled its first start (ready or failed).
  func settle(slot: Int, ready: Bool) {
    let done = state.withLock { s -> Bool in
      s.slotsSettled.insert(slot)
      return s.slotsSettled.count >= settings.workerCount
    }
    state.withLock { $0.ready[slot] }?.complete(.success(ready))
    if ready { state.withLock { $0.readyOnce[slot] }?.complete(.success(true)) }
    if done { startup.complete(.success(())) }
  }

  /// Registers the channel of a new worker process in `slot`; nil when the slot must not run again.
  func begin(slot: Int, channel: WorkerChannel) -> Generation? {
    state.withLock { s in
      guard !s.shuttingDown, !s.retired.contains(slot), let generation = s.slotGeneration[slot] else { return nil }
      s.live[slot] = channel
      s.starts[slot, default: 0] += 1
      return generation
    }
  }

  /// How many processes `slot` started.
  func startCount(of slot: Int) -> Int { state.withLock { $0.starts[slot] ?? 0 } }

  /// The worker process of `slot` ended.
  func end(slot: Int, channel: WorkerChannel) {
    state.withLock { s in if s.live[slot] === channel { s.live[slot] = nil } }
  }

  private func mayRestart(_ slot: Int) -> Bool {
    state.withLock { !$0.shuttingDown && !$0.retired.contains(slot) }
  }

  // MARK: - One slot

  private func runSlot(_ slot: Int, rpcPort: Int) async {
    defer {
      settle(slot: slot, ready: false)
      state.withLock { $0.readyOnce[slot] }?.complete(.success(false))
      state.withLock { $0.exited[slot] }?.complete(.success(()))
    }
    var restarts = RestartPolicy(backoff: settings.backoff, healthyRun: settings.healthyRun)
    while mayRestart(slot) && !Task.isCancelled {
      let started = settings.clock.now
      let becameReady = await runWorker(slot: slot, rpcPort: rpcPort)
      if !becameReady { settle(slot: slot, ready: false) }
      if !mayRestart(slot) || Task.isCancelled { break }
      let delay = restarts.delay(becameReady: becameReady, ran: settings.clock.now - started)
      logger.warning(
        "worker \(slot) will be restarted in \(delay.formattedMilliseconds) (consecutive failures: \(restarts.consecutiveFailures))")
      try? await settings.clock.sleep(for: delay)
    }
  }
}
