extension WorkerLifecycle {
  /// One worker's life as a pure value: ``handle(_:)`` takes an event and returns the actions to perform.
  ///
  /// ```
  /// launching ─processStarted→ awaitingStream ─streamAttached→ initializing ─initAnswered→
  /// resolvingFunctions ─functionsResolved→ loading ─all loads answered→ ready ─shutdownRequested→
  /// draining ─idle / drain timer→ terminating ─processExited→ exited
  /// ```
  ///
  /// A ready worker with a stuck invocation (``Event/invocationStuck(invocationID:)``, or
  /// ``Event/invocationUnresponsive(invocationID:)`` when it did not even answer the cancel) stays
  /// `ready` while ``Action/startReplacement`` brings up a replacement (an unresponsive one gets no new
  /// work meanwhile); the supervisor then requests its shutdown, so it drains like any other worker.
  ///
  /// Any phase before `exited` goes to `terminating` on a timeout or failure, and to `streamLost` when
  /// the stream ends unexpectedly. The exit reason is decided here, from both "stream ended" and
  /// "process exited": a process that exits within ``Timeouts/streamLoss`` of losing its stream is
  /// named by its exit status; one that lingers is torn down and named by its stream's end.
  package struct StateMachine: Sendable {
    /// Where the worker is in its life.
    package enum Phase: Sendable, Hashable {
      case launching
      case awaitingStream
      case initializing
      case resolvingFunctions
      case loading(remaining: Set<String>, total: Int)
      case ready
      case draining
      /// The stream ended while the process runs; waiting briefly for its exit status.
      case streamLost(reason: String)
      case terminating
      case exited
    }

    /// The current phase.
    package private(set) var phase: Phase = .launching
    /// Whether the worker ever became ready.
    package private(set) var becameReady = false
    /// Capabilities from WorkerInitResponse.
    package private(set) var capabilities: Set<String> = []

    private let slot: Int
    private let timeouts: Timeouts
    private var streamAttached = false
    private var shutdownRequested = false
    private var terminationRequested = false
    private var healthProbe = 0
    private var replacing = false

    /// A machine for the worker in `slot`.
    package init(slot: Int, timeouts: Timeouts) {
      self.slot = slot
      self.timeouts = timeouts
    }

    /// Whether the host asked the worker to stop (so its exit is expected).
    package var stopWasRequested: Bool { terminationRequested || shutdownRequested }

    /// Whether the worker's life is over.
    package var isFinished: Bool { phase == .exited }

    /// Applies one event; returns what to do, in order.
    package mutating func handle(_ event: Event) -> [Action] {
      if phase == .exited { return [] }
      switch event {
      case .processStarted:
        guard phase == .launching else { return [] }
        if streamAttached { return startInitializing() }
        phase = .awaitingStream
        return [.startTimer(.start, after: timeouts.start)]

      case .processFailedToStart(let why):
        phase = .exited
        let reason = "worker \(slot) could not be started: \(why)"
        return [.closeChannel(reason), .log(.error, reason), .finish(becameReady: false)]

      case .processExited(let description):
        phase = .exited
        let expected = terminationRequested || shutdownRequested
        return [
          .stopRouting, .closeChannel(description),
          .log(expected ? .info : .error, expected ? "worker \(slot) stopped (\(description))" : description),
          .finish(becameReady: becameReady),
        ]

      case .streamAttached:
        streamAttached = true
        return phase == .awaitingStream ? startInitializing() : []

      case .streamEnded(let reason):
        streamAttached = false
        switch phase {
        case .exited, .streamLost, .terminating:
          return []
        case .launching, .awaitingStream, .initializing, .resolvingFunctions, .loading, .ready, .draining:
          phase = .streamLost(reason: reason)
          return [.stopRouting, .startTimer(.streamLoss, after: timeouts.streamLoss)]
        }

      case .initAnswered(let outcome):
        guard phase == .initializing else { return [] }
        switch outcome {
        case .failure(let why):
          return fail("worker \(slot) failed to initialize: \(why)")
        case .success(let capabilities):
          self.capabilities = capabilities
          phase = .resolvingFunctions
          return [.resolveFunctions, .startTimer(.index, after: timeouts.index)]
        }

      case .functionsResolved(let functions):
        guard phase == .resolvingFunctions else { return [] }
        if functions.isEmpty { return becomeReady(functionCount: 0) }
        phase = .loading(remaining: Set(functions.map(\.functionID)), total: functions.count)
        return [.load(functions), .startTimer(.load, after: timeouts.load)]

      case .functionsFailed(let why):
        guard phase == .resolvingFunctions else { return [] }
        return fail("worker \(slot): \(why)")

      case .loadAnswered(let functionID):
        guard case .loading(var remaining, let total) = phase else { return [] }
        remaining.remove(functionID)
        if remaining.isEmpty { return becomeReady(functionCount: total) }
        phase = .loading(remaining: remaining, total: total)
        return []

      case .timerFired(let timer):
        return timerFired(timer)

      case .healthAnswered(let probe):
        guard phase == .ready, probe == healthProbe else { return [] }
        healthProbe += 1
        return [.startTimer(.health(probe: healthProbe), after: timeouts.healthInterval)]

      case .idle:
        return phase == .draining ? finishDraining() : []

      case .shutdownRequested:
        guard !shutdownRequested else { return [] }
        shutdownRequested = true
        switch phase {
        case .ready:
          phase = .draining
          return [
            .stopRouting, .log(.info, "worker \(slot) is draining"), .awaitIdle,
            .startTimer(.drain, after: timeouts.drain),
          ]
        case .launching, .awaitingStream, .initializing, .resolvingFunctions, .loading:
          phase = .terminating
          terminationRequested = true
          return [.stopRouting, .closeChannel("worker \(slot) was stopped before it became ready"), .terminateProcess]
        case .draining, .streamLost, .terminating, .exited:
          return []
        }

      case .invocationDeadline(let after):
        return [.startTimer(.invocations, after: after)]

      case .invocationUnresponsive(let id):
        // The worker did not even answer the cancel: its event loop may be blocked, so no new work
        // goes there.
        return replace(
          because: "worker \(slot) did not stop timed-out invocation \(LogSafe.escape(id)) within the cancel grace",
          abandoning: id, stopRouting: true)

      case .invocationStuck(let id):
        // The worker answered the cancel but a thread still runs the call: the worker keeps serving
        // (its event loop and other threads are fine) until the replacement is ready.
        return replace(
          because: "worker \(slot): cancelled invocation \(LogSafe.escape(id)) keeps running in a thread the worker cannot stop",
          abandoning: id, stopRouting: false)
      }
    }

    private mutating func timerFired(_ timer: Timer) -> [Action] {
      switch (timer, phase) {
      case (.start, .awaitingStream):
        return fail(
          "worker \(slot) did not open its stream (StartStream) within \(timeouts.start.formattedMilliseconds)")
      case (.initialize, .initializing):
        return fail(
          "worker \(slot) did not answer WorkerInitRequest within \(timeouts.initialize.formattedMilliseconds)")
      case (.index, .resolvingFunctions):
        return fail(
          "worker \(slot): the app's functions were not indexed within \(timeouts.index.formattedMilliseconds)")
      case (.load, .loading(let remaining, _)):
        return fail(
          "worker \(slot) did not answer the load of \(remaining.sorted().joined(separator: ", ")) within "
            + timeouts.load.formattedMilliseconds)
      case (.drain, .draining):
        return finishDraining(timedOut: true)
      case (.terminate, .terminating):
        return [
          .log(.warning, "worker \(slot) did not exit within \(timeouts.terminateGrace.formattedMilliseconds) of WorkerTerminate"),
          .terminateProcess,
        ]
      case (.streamLoss, .streamLost(let reason)):
        phase = .terminating
        terminationRequested = true
        return [.closeChannel(reason), .log(.warning, "\(reason); stopping its process"), .terminateProcess]
      case (.health(let probe), .ready) where probe == healthProbe:
        return [.probeHealth(probe: probe), .startTimer(.healthTimeout(probe: probe), after: timeouts.healthTimeout)]
      case (.healthTimeout(let probe), .ready) where probe == healthProbe:
        return fail(
          "worker \(slot) did not answer a health probe within \(timeouts.healthTimeout.formattedMilliseconds); replacing it",
          reason: "worker \(slot) stopped answering health probes and was replaced")
      case (.invocations, .ready), (.invocations, .draining), (.invocations, .streamLost):
        return [.expireInvocations]
      default:
        return []  // a timer of a phase that has passed
      }
    }

    private mutating func startInitializing() -> [Action] {
      phase = .initializing
      return [.initialize, .startTimer(.initialize, after: timeouts.initialize)]
    }

    private mutating func becomeReady(functionCount: Int) -> [Action] {
      phase = .ready
      becameReady = true
      var actions: [Action] = [.markReady(functionCount: functionCount)]
      if capabilities.contains("WorkerStatus") {
        healthProbe = 1
        actions.append(.startTimer(.health(probe: 1), after: timeouts.healthInterval))
      }
      return actions
    }

    private mutating func finishDraining(timedOut: Bool = false) -> [Action] {
      phase = .terminating
      terminationRequested = true
      let drained: Action = .log(
        timedOut ? .warning : .info,
        timedOut
          ? "worker \(slot) still had invocations in flight after \(timeouts.drain.formattedMilliseconds); stopping it"
          : "worker \(slot) drained; stopping it")
      if capabilities.contains("HandlesWorkerTerminateMessage") {
        return [
          drained, .sendTerminate(grace: timeouts.terminateGrace),
          .startTimer(.terminate, after: timeouts.terminateGrace),
        ]
      }
      return [drained, .terminateProcess]
    }

    /// A stuck invocation: only it is lost. A replacement starts; this worker drains (its other
    /// invocations finish) once the replacement is ready, and then stops.
    private mutating func replace(because why: String, abandoning id: String, stopRouting: Bool) -> [Action] {
      switch phase {
      case .ready:
        var actions: [Action] = [.abandonInvocation(id)]
        if stopRouting { actions.append(.stopRouting) }
        if replacing {
          actions.append(.log(.warning, "\(why); its replacement is already starting"))
          return actions
        }
        replacing = true
        actions.append(.log(.warning, "\(why); starting a replacement worker, then draining this one"))
        actions.append(.startReplacement)
        return actions
      case .draining:
        return [.abandonInvocation(id), .log(.warning, "\(why); the worker is already draining")]
      case .launching, .awaitingStream, .initializing, .resolvingFunctions, .loading, .streamLost, .terminating,
        .exited:
        return []
      }
    }

    /// Gives up on the worker: logs, fails what waits on it, tears its process down.
    private mutating func fail(_ message: String, reason: String? = nil) -> [Action] {
      phase = .terminating
      terminationRequested = true
      return [.log(.error, message), .stopRouting, .closeChannel(reason ?? message), .terminateProcess]
    }
  }
}
