/// The vocabulary of one worker's life, from process launch to exit: the events the driver feeds to
/// ``WorkerLifecycle/StateMachine`` and the actions it gets back.
///
/// The state machine is a pure value (no I/O, no clock, no locks); ``WorkerSupervisor`` is the thin
/// driver that turns actions into messages, timers and signals, and turns what happens into events.
package enum WorkerLifecycle {
  /// How long each phase may take.
  package struct Timeouts: Sendable, Hashable {
    /// From process start to the worker's StartStream.
    package var start: Duration = .seconds(60)
    /// From WorkerInitRequest to its response.
    package var initialize: Duration = .seconds(30)
    /// For the app's functions to be known (indexing by the first worker of a generation).
    package var index: Duration = .seconds(60)
    /// For every FunctionLoadResponse.
    package var load: Duration = .seconds(60)
    /// For in-flight invocations to finish once shutdown is requested.
    package var drain: Duration = .seconds(30)
    /// Between WorkerTerminate (or SIGTERM) and the next teardown step.
    package var terminateGrace: Duration = .seconds(5)
    /// How long a process may live on after its stream ended before it is torn down; the exit reason
    /// is named from its exit status when it exits within this time.
    package var streamLoss: Duration = .milliseconds(500)
    /// Between health probes, for workers that advertise `WorkerStatus`.
    package var healthInterval: Duration = .seconds(10)
    /// How long a health probe may take.
    package var healthTimeout: Duration = .seconds(30)

    package init() {}
  }

  /// A timer the machine asks for; it comes back as ``Event/timerFired(_:)``.
  package enum Timer: Sendable, Hashable {
    case start
    case initialize
    case index
    case load
    case drain
    case terminate
    case streamLoss
    /// The next health probe is due (`probe` numbers the probes).
    case health(probe: Int)
    /// Probe number `probe` went unanswered for too long.
    case healthTimeout(probe: Int)
    /// An invocation deadline (functionTimeout or cancel grace) is due.
    case invocations
  }

  /// What the worker's side reported in WorkerInitResponse.
  package enum InitOutcome: Sendable, Hashable {
    /// Initialized, with the capabilities it advertised (non-empty values only).
    case success(capabilities: Set<String>)
    /// The worker reported Failure.
    case failure(String)
  }

  /// Something that happened to the worker.
  package enum Event: Sendable, Hashable {
    /// The process is running.
    case processStarted(pid: Int32)
    /// The process could not be started.
    case processFailedToStart(String)
    /// The process ended; the text names the exit code or signal.
    case processExited(String)
    /// The worker's StartStream arrived.
    case streamAttached
    /// The worker's stream ended (closed, failed or cancelled).
    case streamEnded(String)
    /// WorkerInitResponse arrived.
    case initAnswered(InitOutcome)
    /// The functions to load are known.
    case functionsResolved([FunctionMetadata])
    /// The functions could not be indexed.
    case functionsFailed(String)
    /// A FunctionLoadResponse arrived (success or failure; failures are reported by the driver).
    case loadAnswered(functionID: String)
    /// A timer expired.
    case timerFired(Timer)
    /// A WorkerStatusResponse arrived.
    case healthAnswered(probe: Int)
    /// The worker has no invocation in flight (after ``Action/awaitIdle``).
    case idle
    /// The host shuts down or the worker is being replaced (hot reload).
    case shutdownRequested
    /// The invocation table has a deadline `after` from now.
    case invocationDeadline(after: Duration)
    /// A timed-out invocation was not stopped by the worker within the cancel grace.
    case invocationUnresponsive(invocationID: String)
    /// The worker reported that a timed-out, cancelled invocation keeps running (a sync function in a
    /// thread it cannot stop; ``WorkerSignals/invocationStillRunning``).
    case invocationStuck(invocationID: String)
  }

  /// A log line the machine wants written.
  package enum LogLevel: Sendable, Hashable {
    case info
    case warning
    case error
  }

  /// What the driver does next.
  package enum Action: Sendable, Hashable {
    /// Start a timer.
    case startTimer(Timer, after: Duration)
    /// Send WorkerInitRequest.
    case initialize
    /// Find the app's functions (from the catalog, or by asking this worker to index).
    case resolveFunctions
    /// Send a FunctionLoadRequest for each.
    case load([FunctionMetadata])
    /// Route invocations to the worker.
    case markReady(functionCount: Int)
    /// Stop routing new invocations to the worker.
    case stopRouting
    /// Report ``Event/idle`` once no invocation is in flight.
    case awaitIdle
    /// Send WorkerStatusRequest number `probe`.
    case probeHealth(probe: Int)
    /// Expire invocations past their deadline and report what is next.
    case expireInvocations
    /// Send WorkerTerminate with a grace period.
    case sendTerminate(grace: Duration)
    /// Run the process's teardown sequence (SIGTERM, grace, SIGKILL to its process group).
    case terminateProcess
    /// Fail everything waiting on the channel with this reason (the first reason wins).
    case closeChannel(String)
    /// Forget an invocation the worker will not finish (its caller already got a timeout), so a drain
    /// does not wait for it; a late answer is dropped.
    case abandonInvocation(String)
    /// Start a replacement worker (same app version) in a new slot; once it is ready, this worker is
    /// asked to shut down (``Event/shutdownRequested``: drain, then stop) and its slot is not restarted.
    case startReplacement
    /// Write a log line.
    case log(LogLevel, String)
    /// The worker's life is over; `becameReady` says whether it ever served.
    case finish(becameReady: Bool)
  }
}
