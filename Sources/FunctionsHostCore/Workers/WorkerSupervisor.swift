internal import Foundation
internal import FunctionsRPC
package import Logging
internal import Subprocess
internal import SystemPackage
internal import Synchronization
#if canImport(Glibc)
  internal import Glibc
#endif

/// Starts N workers in parallel, brings each through StartStream → init → (indexing) → load, hands it to
/// the pool, and restarts it with backoff when it dies.
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
    /// The Unix socket of the fast transport, when enabled.
    var unixSocketPath: String? = nil
    /// A worker that ran this long after becoming ready restarts without backoff.
    var healthyRun: Duration = .seconds(1)
    /// host.json `logging.logLevel`.
    var logLevels = LogLevelPolicy()
  }

  /// What a worker generation runs: the app's functions and environment at one point in time.
  package struct Generation: Sendable {
    var catalog: FunctionCatalog
    var environment: [String: String]
    var indexFallback: @Sendable () -> FunctionJSONIndexer.Result
  }

  private struct State {
    var shuttingDown = false
    var live: [Int: WorkerChannel] = [:]
    var starts: [Int: Int] = [:]
    var startupWaiters: [CheckedContinuation<Void, Never>] = []
    var startupDone = false
    var slotsSettled = Set<Int>()
    /// Slots that run now (each keeps one worker process alive).
    var activeSlots: [Int] = []
    var nextSlot = 0
    var retired = Set<Int>()
    var slotGeneration: [Int: Generation] = [:]
    var readyWaiters: [Int: [Promise<Bool>]] = [:]
    var exitWaiters: [Int: [Promise<Void>]] = [:]
    var commands: AsyncStream<Int>.Continuation? = nil
  }

  private let settings: Settings
  private let registry: WorkerRegistry
  private let pool: WorkerPool
  private let logger: Logger
  private let state = Mutex(State())
  private let rolling = Mutex(false)

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
    let (live, commands) = state.withLock { s in
      s.shuttingDown = true
      defer { s.commands = nil }
      return (Array(s.live.values), s.commands)
    }
    commands?.finish()
    for channel in live { channel.requestShutdown() }
    settleStartup(all: true)
    resolveAllReadyWaiters()
  }

  /// Replaces the workers one by one with workers of a new generation (hot reload): each new worker must
  /// be ready before an old one drains, so no request fails. `onFirstReady` runs when the first new
  /// worker is ready (the host then routes to the new functions). Returns false if a new worker could not
  /// start (the old workers then keep serving).
  package func roll(to generation: Generation, onFirstReady: @Sendable () -> Void) async -> Bool {
    guard rolling.withLock({ r in
      if r { return false }
      r = true
      return true
    }) else { return false }
    defer { rolling.withLock { $0 = false } }
    let old = state.withLock { $0.activeSlots }
    var first = true
    for oldSlot in old {
      let (newSlot, promise, commands) = state.withLock { s -> (Int, Promise<Bool>, AsyncStream<Int>.Continuation?) in
        let slot = s.nextSlot
        s.nextSlot += 1
        s.slotGeneration[slot] = generation
        s.activeSlots.append(slot)
        let p = Promise<Bool>()
        s.readyWaiters[slot, default: []].append(p)
        return (slot, p, s.commands)
      }
      guard let commands else { return false }
      commands.yield(newSlot)
      let ready = (try? await promise.value()) ?? false
      if !ready {
        logger.error("hot reload: the new worker \(newSlot) did not become ready; keeping the running workers")
        retire(newSlot)
        return false
      }
      if first {
        first = false
        onFirstReady()
      }
      // One old worker drains and exits before the next new one starts: at most N + 1 processes.
      let exited = state.withLock { s -> Promise<Void> in
        let p = Promise<Void>()
        s.exitWaiters[oldSlot, default: []].append(p)
        return p
      }
      retire(oldSlot)
      _ = try? await exited.value()
    }
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

  private func isRetired(_ slot: Int) -> Bool { state.withLock { $0.retired.contains(slot) } }

  private func resolveReady(slot: Int, _ ready: Bool) {
    let waiters = state.withLock { $0.readyWaiters.removeValue(forKey: slot) } ?? []
    for w in waiters { w.complete(.success(ready)) }
  }

  private func resolveAllReadyWaiters() {
    let (waiters, exits) = state.withLock { s in
      defer {
        s.readyWaiters = [:]
        s.exitWaiters = [:]
      }
      return (s.readyWaiters.values.flatMap { $0 }, s.exitWaiters.values.flatMap { $0 })
    }
    for w in waiters { w.complete(.success(false)) }
    for w in exits { w.complete(.success(())) }
  }

  private var isShuttingDown: Bool { state.withLock { $0.shuttingDown } }

  /// Waits until every slot has either become ready once or failed its first start.
  package func waitForStartup() async {
    await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
      let done = state.withLock { s in
        if s.startupDone { return true }
        s.startupWaiters.append(c)
        return false
      }
      if done { c.resume() }
    }
  }

  private func settleStartup(slot: Int? = nil, all: Bool = false) {
    let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
      if let slot { s.slotsSettled.insert(slot) }
      guard !s.startupDone, all || s.slotsSettled.count >= settings.workerCount else { return [] }
      s.startupDone = true
      defer { s.startupWaiters = [] }
      return s.startupWaiters
    }
    for w in waiters { w.resume() }
  }

  /// Status of each slot, for logs and admin endpoints.
  package func liveWorkers() -> [(slot: Int, pid: Int32?, outstanding: Int, ready: Bool, starts: Int)] {
    state.withLock { s in
      s.live.filter { !s.retired.contains($0.key) }.sorted { $0.key < $1.key }.map {
        (slot: $0.key, pid: $0.value.pid, outstanding: $0.value.outstanding, ready: $0.value.isReady,
         starts: s.starts[$0.key] ?? 0)
      }
    }
  }

  // MARK: - One slot

  private func runSlot(_ slot: Int, rpcPort: Int) async {
    defer {
      let waiters = state.withLock { $0.exitWaiters.removeValue(forKey: slot) } ?? []
      for w in waiters { w.complete(.success(())) }
    }
    var consecutiveFailures = 0
    while !isShuttingDown && !Task.isCancelled && !isRetired(slot) {
      let started = ContinuousClock.now
      let becameReady = await runOnce(slot: slot, rpcPort: rpcPort)
      settleStartup(slot: slot)
      if !becameReady { resolveReady(slot: slot, false) }
      if isShuttingDown || Task.isCancelled || isRetired(slot) { break }
      // A worker that became ready and served a while is not crash-looping: replace it at once (after the
      // initial delay). Only workers that die before or right after becoming ready back off exponentially.
      if becameReady && ContinuousClock.now - started > settings.healthyRun {
        consecutiveFailures = 0
      }
      consecutiveFailures += 1
      let delay = settings.backoff.delay(attempt: consecutiveFailures)
      logger.warning(
        "worker \(slot) will be restarted in \(delay.formattedMilliseconds) (consecutive failures: \(consecutiveFailures))")
      try? await Task.sleep(for: delay)
    }
  }

  /// Starts one worker process and runs it to its end. Returns whether it became ready.
  private func runOnce(slot: Int, rpcPort: Int) async -> Bool {
    guard let generation = state.withLock({ $0.slotGeneration[slot] }) else { return false }
    let workerID = WorkerSupervisor.newWorkerID()
    let requestID = UUID().uuidString.lowercased()
    let channel = WorkerChannel(workerID: workerID, slot: slot, logger: logger, logLevels: settings.logLevels)
    registry.register(channel)
    state.withLock { s in
      s.live[slot] = channel
      s.starts[slot, default: 0] += 1
    }
    defer {
      pool.remove(channel)
      registry.remove(channel)
      state.withLock { s in if s.live[slot] === channel { s.live[slot] = nil } }
    }
    let d = settings.description
    let arguments = d.launchArguments(
      host: "127.0.0.1", port: rpcPort, workerID: workerID, requestID: requestID,
      maxMessageLength: settings.maxMessageLength, unixSocketPath: settings.unixSocketPath)
    var environment = generation.environment
    environment.merge(d.environment) { _, new in new }
    environment["FUNCTIONS_WORKER_DIRECTORY"] = d.workerDirectory
    environment["FUNCTIONS_APPLICATION_DIRECTORY"] = settings.scriptRoot
    environment["AzureWebJobsScriptRoot"] = settings.scriptRoot
    if environment["FUNCTIONS_WORKER_RUNTIME"] == nil { environment["FUNCTIONS_WORKER_RUNTIME"] = d.language }
    if environment["PYTHONUNBUFFERED"] == nil { environment["PYTHONUNBUFFERED"] = "1" }

    var options = PlatformOptions()
    options.processGroupID = 0
    options.teardownSequence = [.gracefulShutDown(allowedDurationToNextStep: .seconds(2))]
    let executable: Executable = d.executable.contains("/") ? .path(FilePath(d.executable)) : .name(d.executable)
    let stderrTail = LineTail()
    let shown = ([d.executable] + d.arguments + (d.workerPath.map { [$0] } ?? []) + d.workerArguments).joined(separator: " ")
    logger.info("starting worker \(slot): \(shown)")
    var ready = false
    var envKeys: [Environment.Key: String] = [:]
    for (k, v) in environment { if let key = Environment.Key(rawValue: k) { envKeys[key] = v } }
    do {
      let result = try await Subprocess.run(
        executable, arguments: Arguments(arguments), environment: .custom(envKeys),
        workingDirectory: FilePath(settings.scriptRoot), platformOptions: options,
        input: .none, output: .sequence, error: .sequence
      ) { execution in
        let pid = execution.processIdentifier.value
        channel.setPID(pid)
        logger.info("worker \(slot) started", metadata: ["pid": "\(pid)"])
        enum Event { case outputClosed, lifecycleEnded(Bool), killTimerFired }
        var becameReady = false
        await withTaskGroup(of: Event.self) { group in
          group.addTask {
            do {
              for try await line in execution.standardOutput.strings() {
                self.logger.info("\(line)", metadata: ["worker": "\(slot)", "stream": "stdout"])
              }
            } catch {}
            return .outputClosed
          }
          group.addTask {
            do {
              for try await line in execution.standardError.strings() {
                let level = WorkerSupervisor.stderrLevel(line)
                stderrTail.append(line)
                self.logger.log(level: level, "\(line)", metadata: ["worker": "\(slot)", "stream": "stderr"])
              }
            } catch {}
            return .outputClosed
          }
          group.addTask {
            return .lifecycleEnded(await self.lifecycle(channel, generation: generation))
          }
          var outputsClosed = 0
          var lifecycleEnded = false
          var killTimerStarted = false
          while let event = await group.next() {
            switch event {
            case .outputClosed:
              outputsClosed += 1
              if outputsClosed == 2 {
                // The process is gone (or closed its output): fail its in-flight work at once, naming the exit.
                var reason = "worker \(slot) (pid \(pid)) exited"
                if let status = await WorkerSupervisor.peekExitStatus(pid) {
                  reason = WorkerSupervisor.describe(status, slot: slot, pid: pid, stderrTail: stderrTail.lines)
                }
                channel.close(reason: reason)
              }
            case .lifecycleEnded(let ok):
              lifecycleEnded = true
              becameReady = ok
              if outputsClosed < 2 {
                try? execution.send(signal: .terminate, toProcessGroup: true)
                if !killTimerStarted {
                  killTimerStarted = true
                  let grace = self.settings.terminateGrace
                  group.addTask {
                    try? await Task.sleep(for: grace)
                    return .killTimerFired
                  }
                }
              }
            case .killTimerFired:
              if outputsClosed < 2, !Task.isCancelled {
                self.logger.warning("worker \(slot) did not exit after SIGTERM; sending SIGKILL to its process group")
                try? execution.send(signal: .kill, toProcessGroup: true)
              }
            }
            if outputsClosed == 2 && lifecycleEnded { group.cancelAll() }
          }
        }
        // Children of user code left in the group die with it.
        _ = kill(-pid, SIGKILL)
        return becameReady
      }
      ready = result.closureResult
      let tail = stderrTail.lines
      let reason = WorkerSupervisor.describe(result.terminationStatus, slot: slot, pid: result.processIdentifier.value, stderrTail: tail)
      channel.close(reason: reason)
      if isShuttingDown {
        logger.info("worker \(slot) stopped (\(result.terminationStatus))")
      } else {
        logger.error("\(reason)")
      }
    } catch {
      let reason = "worker \(slot) could not be started: \(d.executable): \(error)"
      channel.close(reason: reason)
      logger.error("\(reason)")
    }
    return ready
  }

  /// StartStream → init → indexing → load → ready → wait for the end. Returns whether it became ready.
  private func lifecycle(_ channel: WorkerChannel, generation: Generation) async -> Bool {
    let catalog = generation.catalog
    let indexFallback = generation.indexFallback
    let slot = channel.slot
    do {
      let startTimeout = settings.startTimeout
      try await withTimeout(startTimeout, onTimeout: {
        FunctionsHostError(
          code: .workerUnavailable,
          message: "worker \(slot) did not open its stream (StartStream) within \(startTimeout.formattedMilliseconds)")
      }) { try await channel.waitForStream() }
      let initTimeout = settings.initTimeout
      let settings = self.settings
      let response = try await withTimeout(initTimeout, onTimeout: {
        FunctionsHostError(
          code: .workerUnavailable, message: "worker \(slot) did not answer WorkerInitRequest within \(initTimeout.formattedMilliseconds)")
      }) {
        try await channel.initialize(
          hostVersion: settings.hostVersion, workerDirectory: settings.description.workerDirectory,
          appDirectory: settings.scriptRoot, capabilities: ["MultiStream": "10"])
      }
      guard response.result.status == .success else {
        let why = response.result.exception.message.isEmpty ? response.result.result : response.result.exception.message
        logger.error("worker \(slot) failed to initialize: \(why.isEmpty ? "WorkerInitResponse reported Failure" : why)")
        return false
      }
      let meta = response.workerMetadata
      let capabilityList = response.capabilities.keys.sorted().joined(separator: ", ")
      logger.info(
        "worker \(slot) initialized: \(meta.runtimeName) \(meta.runtimeVersion), worker \(meta.workerVersion); capabilities: \(capabilityList)")

      let functions = try await catalog.functions { [settings, indexFallback, logger] in
        logger.info("worker \(slot) is indexing the app")
        let metadata = try await withTimeout(.seconds(60), onTimeout: {
          FunctionsHostError(code: .workerUnavailable, message: "worker \(slot) did not answer FunctionsMetadataRequest within 60 s")
        }) { try await channel.functionsMetadata(appDirectory: settings.scriptRoot) }
        let (functions, errors) = try FunctionCatalog.functions(
          from: metadata, scriptRoot: settings.scriptRoot, settings: generation.environment, fallback: indexFallback)
        for error in errors { logger.error("\(error.message)") }
        return (functions, errors)
      }
      let loadTimeout = settings.loadTimeout
      try await withThrowingDiscardingTaskGroup { group in
        for function in functions {
          group.addTask {
            let response = try await withTimeout(loadTimeout, onTimeout: {
              FunctionsHostError(
                code: .workerUnavailable, message: "worker \(slot) did not answer the load of '\(function.name)' in time")
            }) { try await channel.load(function) }
            if response.result.status != .success {
              var message = response.result.exception.message.isEmpty ? response.result.result : response.result.exception.message
              if !response.result.exception.stackTrace.isEmpty { message += "\n" + response.result.exception.stackTrace }
              self.logger.error(
                "worker \(slot) failed to load function '\(function.name)': \(message)", metadata: ["function": "\(function.name)"])
            }
          }
        }
      }
      channel.markReady()
      pool.add(channel)
      logger.info("worker \(slot) is ready (\(functions.count) functions)", metadata: ["pid": "\(channel.pid ?? 0)"])
      settleStartup(slot: slot)
      resolveReady(slot: slot, true)
      await watch(channel)
      if channel.closeReason == nil && channel.isShutdownRequested {
        await drainAndTerminate(channel)
      }
      return true
    } catch {
      if !isShuttingDown { logger.error("worker \(slot): \(error)") }
      return false
    }
  }

  /// While the worker serves: expires timed-out invocations (InvocationCancel, then replacement of a worker
  /// that does not stop them) and probes its health. Returns when the channel closes or shutdown begins.
  private func watch(_ channel: WorkerChannel) async {
    let slot = channel.slot
    let settings = self.settings
    await withTaskGroup(of: Void.self) { group in
      group.addTask {
        await channel.waitUntilClosed(orShutdown: true)
      }
      group.addTask {
        while !Task.isCancelled {
          try? await Task.sleep(for: .milliseconds(100))
          if Task.isCancelled { return }
          let expiry = channel.expireInvocations(now: .now, grace: settings.cancelGrace)
          for id in expiry.expired {
            let sent = await channel.sendCancel(id)
            self.logger.warning(
              "invocation exceeded functionTimeout; \(sent ? "InvocationCancel sent" : "the worker cannot cancel it, its result will be discarded")",
              metadata: ["invocationId": "\(id)", "worker": "\(slot)"])
          }
          if let id = expiry.unresponsive {
            self.logger.error(
              "worker \(slot) did not stop timed-out invocation \(id) within \(settings.cancelGrace.formattedMilliseconds); replacing the worker")
            channel.close(reason: "worker \(slot) was replaced because timed-out invocation \(id) did not stop")
            return
          }
        }
      }
      if channel.has(capability: "WorkerStatus") {
        group.addTask {
          while !Task.isCancelled {
            try? await Task.sleep(for: settings.healthInterval)
            if Task.isCancelled { return }
            do {
              try await withTimeout(settings.healthTimeout, onTimeout: {
                FunctionsHostError(code: .timeout, message: "no WorkerStatusResponse")
              }) { try await channel.status() }
            } catch is CancellationError {
              return
            } catch {
              if channel.closeReason != nil || Task.isCancelled { return }
              self.logger.error(
                "worker \(slot) did not answer a health probe within \(settings.healthTimeout.formattedMilliseconds); replacing it")
              channel.close(reason: "worker \(slot) stopped answering health probes and was replaced")
              return
            }
          }
        }
      }
      await group.next()
      group.cancelAll()
    }
  }

  private func drainAndTerminate(_ channel: WorkerChannel) async {
    pool.remove(channel)
    let deadline = ContinuousClock.now + settings.drainTimeout
    while channel.outstanding > 0, channel.closeReason == nil, ContinuousClock.now < deadline {
      try? await Task.sleep(for: .milliseconds(20))
    }
    if channel.has(capability: "HandlesWorkerTerminateMessage") {
      let grace = settings.terminateGrace
      await channel.sendTerminate(grace: grace)
      _ = try? await withTimeout(grace, onTimeout: { CancellationError() }) {
        await channel.waitUntilClosed()
      }
    }
  }

  // MARK: - Helpers

  /// A random, unguessable worker id (128 bits).
  static func newWorkerID() -> String {
    var g = SystemRandomNumberGenerator()
    return String(format: "%016llx%016llx", g.next() as UInt64, g.next() as UInt64)
  }

  /// How the stock host classifies a worker's stderr line.
  static func stderrLevel(_ line: String) -> Logger.Level {
    let lower = line.lowercased()
    if lower.contains("error") || lower.contains("fail") || lower.contains("severe")
      || lower.contains("unhandled exception") || lower.contains("traceback")
    {
      return .error
    }
    if lower.contains("warn") { return .warning }
    return .info
  }

  /// The exit status of a child that has ended, without reaping it (Subprocess still does). Polls briefly.
  static func peekExitStatus(_ pid: Int32) async -> TerminationStatus? {
    for _ in 0..<20 {
      var info = siginfo_t()
      let rc = waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT)
      if rc != 0 { return nil }
      if info.si_signo == SIGCHLD {
        let status = info._sifields._sigchld.si_status
        switch Int(info.si_code) {
        case Int(CLD_EXITED): return .exited(status)
        case Int(CLD_KILLED), Int(CLD_DUMPED): return .signaled(status)
        default: return nil
        }
      }
      try? await Task.sleep(for: .milliseconds(10))
    }
    return nil
  }

  /// A sentence about how a worker process ended.
  static func describe(_ status: TerminationStatus, slot: Int, pid: Int32, stderrTail: [String]) -> String {
    var text: String
    switch status {
    case .exited(let code):
      text = "worker \(slot) (pid \(pid)) exited with code \(code)"
      if code == 137 { text += " (killed, often by the out-of-memory killer)" }
      if code == 143 { text += " (terminated by SIGTERM)" }
    case .signaled(let signal):
      text = "worker \(slot) (pid \(pid)) was killed by signal \(signal)"
      if signal == SIGKILL { text += " (SIGKILL: out-of-memory killer or kill -9)" }
      if signal == SIGTERM { text += " (SIGTERM)" }
    @unknown default:
      text = "worker \(slot) (pid \(pid)) ended: \(status)"
    }
    if !stderrTail.isEmpty { text += "; last stderr lines: " + stderrTail.joined(separator: " | ") }
    return text
  }
}

extension Duration {
  var formattedMilliseconds: String {
    let ms = Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15
    return ms >= 1000 ? String(format: "%.1f s", ms / 1000) : String(format: "%.0f ms", ms)
  }
}

/// The last few warning/error lines a worker wrote to stderr.
final class LineTail: Sendable {
  private let storage = Mutex<[String]>([])
  func append(_ line: String) {
    storage.withLock { tail in
      tail.append(line)
      if tail.count > 5 { tail.removeFirst() }
    }
  }
  var lines: [String] { storage.withLock { $0 } }
}
