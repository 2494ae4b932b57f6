internal import Foundation
public import FunctionsHostCore
public import Logging
internal import Synchronization

/// What a host tells its operators: Prometheus metrics (``metrics``), the recent invocations with their
/// logs, the workers' states, and the store's queue and timer gauges, for `/admin/metrics` and the
/// dashboard. One per host; nothing is global.
///
/// ```swift
/// let telemetry = HostTelemetry()
/// hostConfiguration.onWorkerEvent = telemetry.record
/// let dispatcher = telemetry.dispatcher(wrapping: bindings)   // give this to the triggers and front door
/// let logger = telemetry.logger(teeing: logger)             // invocation logs reach the dashboard
/// ```
public final class HostTelemetry: Sendable {
  /// What is recorded.
  public struct Configuration: Sendable {
    /// Whether invocations are recorded at all (metrics and journal); off only to measure the cost.
    public var recordInvocations = true
    /// How many finished invocations the dashboard keeps.
    public var journalCapacity = 200
    /// How many log lines are kept per invocation.
    public var logLinesPerInvocation = 50
    /// Whether each HTTP request and invocation gets a span from the global swift-distributed-tracing
    /// tracer (the CLI bootstraps OpenTelemetry when the `OTEL_*` variables ask for it).
    public var traces = false

    /// Records everything.
    public static var defaults: Configuration { Configuration() }
  }

  /// Where the telemetry reads what it does not record itself; set by ``attach(_:)``.
  public struct Sources: Sendable {
    /// The worker processes now running.
    public var workers: @Sendable () -> [WorkerStatus]
    /// The queue and timer gauges, read from the store.
    public var storage: @Sendable () async -> StorageGauges

    /// Creates the sources.
    public init(
      workers: @escaping @Sendable () -> [WorkerStatus],
      storage: @escaping @Sendable () async -> StorageGauges = { StorageGauges() }
    ) {
      self.workers = workers
      self.storage = storage
    }
  }

  /// The configuration.
  public let configuration: Configuration
  /// The Prometheus metrics of this host.
  public let metrics: HostMetrics
  let journal: InvocationJournal
  let changes = ChangeBroadcaster()
  private let sources = Mutex<Sources?>(nil)
  private let exits = Mutex<[Int: (cause: String, description: String)]>([:])
  private let lookup = Mutex<(@Sendable (String) -> FunctionMetadata?)?>(nil)

  /// Creates the telemetry of one host.
  public init(configuration: Configuration = .defaults) {
    self.configuration = configuration
    self.metrics = HostMetrics()
    self.journal = InvocationJournal(
      capacity: configuration.journalCapacity, linesPerInvocation: configuration.logLinesPerInvocation)
  }

  /// Connects the parts that exist only once the host is built.
  public func attach(_ sources: Sources) {
    self.sources.withLock { $0 = sources }
  }

  var isRecording: Bool { configuration.recordInvocations }
  var journalEnabled: Bool { configuration.recordInvocations }

  // MARK: - Recording

  /// A dispatcher that records every invocation `inner` runs.
  public func dispatcher(wrapping inner: any InvocationDispatching) -> ObservedDispatcher {
    lookup.withLock { $0 = { inner.function(named: $0) } }
    return ObservedDispatcher(inner: inner, telemetry: self)
  }

  func finished(
    _ function: String, outcome: InvocationOutcome, invocationID: String, start: ContinuousClock.Instant,
    wallStart: Double, error: (any Error)?
  ) {
    if let error = error as? FunctionsHostError, error.code == .functionNotFound {
      metrics.invocationAbandoned()
      return
    }
    let elapsed = ContinuousClock.now - start
    let nanoseconds = elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000
    let trigger = metrics.invocationFinished(
      function: function, trigger: { self.triggerType(of: function) }, outcome: outcome, nanoseconds: nanoseconds)
    guard journalEnabled else { return }
    let message = error.map { ($0 as? FunctionsHostError)?.message ?? "\($0)" }
    journal.finished(
      InvocationRecord(
        id: invocationID, function: function, trigger: trigger, outcome: outcome, started: wallStart,
        durationMs: Double(nanoseconds) / 1_000_000, error: message, logs: []))
    changes.publish()
  }

  private func triggerType(of function: String) -> String {
    lookup.withLock { $0 }?(function)?.trigger?.type ?? "unknown"
  }

  /// Records a worker process starting or ending (pass it as `FunctionsHost.Configuration.onWorkerEvent`).
  public func record(_ event: WorkerEvent) {
    switch event.kind {
    case .started(_, let restart):
      metrics.workerStarted(restart: restart)
    case .exited(let cause, let description):
      metrics.workerExited(cause: cause.rawValue)
      exits.withLock { $0[event.slot] = (cause.rawValue, description) }
    }
    changes.publish()
  }

  /// The front door answered a request with `status`.
  public func requestCompleted(status: Int) {
    guard isRecording else { return }
    metrics.requestCompleted(status: status)
  }

  /// A logger that writes to `logger` and also keeps, for the dashboard, the lines tagged with an
  /// invocation id (`invocationId` or `invocation.id` metadata).
  public func logger(teeing logger: Logger) -> Logger {
    guard journalEnabled else { return logger }
    var teed = logger
    teed.handler = JournalLogHandler(inner: logger.handler, journal: journal)
    return teed
  }

  // MARK: - Reading

  /// The metrics in Prometheus text format, with the store's gauges read now.
  public func prometheusText() async -> String {
    if let storage = sources.withLock({ $0 })?.storage { metrics.update(await storage()) }
    return metrics.prometheusText()
  }

  /// One element per change worth redrawing (an invocation ended, a worker started or stopped).
  public func changeEvents() -> AsyncStream<Void> { changes.subscribe() }

  /// The workers with their last exit.
  func workerStates() -> [WorkerState] {
    let live = sources.withLock { $0 }?.workers() ?? []
    let exits = self.exits.withLock { $0 }
    var states = live.map { w in
      WorkerState(
        slot: w.slot, pid: w.pid, state: w.isReady ? "ready" : "starting", inFlight: w.outstanding,
        restarts: max(0, w.starts - 1), lastExitCause: exits[w.slot]?.cause, lastExit: exits[w.slot]?.description)
    }
    for (slot, exit) in exits where !live.contains(where: { $0.slot == slot }) {
      states.append(
        WorkerState(
          slot: slot, pid: nil, state: "exited", inFlight: 0, restarts: 0, lastExitCause: exit.cause,
          lastExit: exit.description))
    }
    return states.sorted { $0.slot < $1.slot }
  }

  /// The store's gauges now.
  func storageGauges() async -> StorageGauges {
    guard let storage = sources.withLock({ $0 })?.storage else { return StorageGauges() }
    let gauges = await storage()
    metrics.update(gauges)
    return gauges
  }
}
