internal import CoreMetrics
internal import FunctionsHostCore
public import Prometheus
internal import Synchronization

/// The host's Prometheus metrics, in a registry of its own (never the global `MetricsSystem`), so that
/// several hosts in one process each count their own.
///
/// Recording an invocation costs one lock (to find the function's handles, made once per function and
/// trigger) and the swift-metrics handles' own atomic updates; queue and timer gauges are read from the
/// store only when scraped.
///
/// ```swift
/// let metrics = HostMetrics()
/// metrics.requestCompleted(status: 200)
/// print(metrics.registry.emitToString())
/// ```
public final class HostMetrics: Sendable {
  /// The registry every metric of this host lives in.
  public let registry: PrometheusCollectorRegistry
  /// The swift-metrics factory over ``registry``; make your own handles with it (`factory:` argument).
  public let factory: PrometheusMetricsFactory

  private let functionMeters = Mutex<[String: FunctionMeters.Entry]>([:])
  private let gauges = Mutex<[String: Prometheus.Gauge]>([:])
  private let workerCounters = Mutex<[String: CoreMetrics.Counter]>([:])
  private let inFlight: Meter
  private let requests: [CoreMetrics.Counter]

  /// Creates the metrics and their registry.
  public init() {
    let registry = PrometheusCollectorRegistry()
    var factory = PrometheusMetricsFactory(registry: registry)
    factory.defaultDurationHistogramBuckets = [
      .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
      .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
      .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30), .seconds(60), .seconds(300),
    ]
    self.registry = registry
    self.factory = factory
    self.inFlight = Meter(label: "functions_invocations_in_flight", dimensions: [], factory: factory)
    self.requests = ["1xx", "2xx", "3xx", "4xx", "5xx"].map {
      CoreMetrics.Counter(label: "functions_http_requests_total", dimensions: [("status_class", $0)], factory: factory)
    }
  }

  // MARK: - Invocations

  /// The handles of one function (made on its first invocation).
  final class FunctionMeters: Sendable {
    let outcomes: [CoreMetrics.Counter]
    let duration: CoreMetrics.Timer

    init(function: String, trigger: String, factory: PrometheusMetricsFactory) {
      outcomes = InvocationOutcome.allCases.map {
        CoreMetrics.Counter(
          label: "functions_invocations_total",
          dimensions: [("function", function), ("trigger", trigger), ("outcome", $0.rawValue)], factory: factory)
      }
      duration = CoreMetrics.Timer(
        label: "functions_invocation_duration_seconds", dimensions: [("function", function), ("trigger", trigger)],
        preferredDisplayUnit: .seconds, factory: factory)
    }

    func record(_ outcome: InvocationOutcome, nanoseconds: Int64) {
      switch outcome {
      case .succeeded: outcomes[0].increment()
      case .failed: outcomes[1].increment()
      case .timedOut: outcomes[2].increment()
      case .cancelled: outcomes[3].increment()
      }
      duration.recordNanoseconds(nanoseconds)
    }
  }

  /// An invocation began.
  public func invocationStarted() {
    inFlight.increment()
  }

  /// An invocation of `function` ended after `nanoseconds`; `trigger` (e.g. `httpTrigger`) is asked only
  /// the first time the function is seen. Returns the trigger type recorded.
  @discardableResult
  public func invocationFinished(
    function: String, trigger: () -> String, outcome: InvocationOutcome, nanoseconds: Int64
  ) -> String {
    inFlight.decrement()
    let entry = meters(function: function, trigger: trigger)
    entry.meters.record(outcome, nanoseconds: nanoseconds)
    return entry.trigger
  }

  /// An invocation that never ran (no such function) ended: only the in-flight count changes.
  public func invocationAbandoned() {
    inFlight.decrement()
  }

  private func meters(function: String, trigger: () -> String) -> FunctionMeters.Entry {
    if let existing = functionMeters.withLock({ $0[function] }) { return existing }
    let type = trigger()
    let made = FunctionMeters.Entry(trigger: type, meters: FunctionMeters(function: function, trigger: type, factory: factory))
    return functionMeters.withLock { meters in
      if let existing = meters[function] { return existing }
      meters[function] = made
      return made
    }
  }

  // MARK: - Front door

  /// The front door answered a request with `status`.
  public func requestCompleted(status: Int) {
    let index = status / 100 - 1
    if index >= 0, index < requests.count { requests[index].increment() }
  }

  // MARK: - Workers

  /// A worker process started (`restart` when its slot ran one before).
  public func workerStarted(restart: Bool) {
    workerCounter("functions_worker_starts_total", []).increment()
    if restart { workerCounter("functions_worker_restarts_total", []).increment() }
  }

  /// A worker process ended, for `cause` (`stopped`, `crashed`, `killed`, `failed_to_start`).
  public func workerExited(cause: String) {
    workerCounter("functions_worker_exits_total", [("cause", cause)]).increment()
  }

  private func workerCounter(_ name: String, _ dimensions: [(String, String)]) -> CoreMetrics.Counter {
    let key = name + dimensions.map { "|\($0.1)" }.joined()
    return workerCounters.withLock { counters in
      if let counter = counters[key] { return counter }
      let counter = CoreMetrics.Counter(label: name, dimensions: dimensions, factory: factory)
      counters[key] = counter
      return counter
    }
  }

  // MARK: - Scrape-time gauges

  /// Sets the queue and timer gauges from a fresh reading of the store.
  public func update(_ storage: StorageGauges) {
    for q in storage.queues {
      let labels = [("function", q.function), ("queue", q.queue)]
      gauge("functions_queue_depth", "Messages in the queue of a queue trigger", labels).set(Double(q.depth))
      gauge("functions_queue_oldest_message_age_seconds", "Age of the oldest visible message", labels)
        .set(q.oldestAgeSeconds ?? 0)
      gauge("functions_queue_poison_messages", "Messages in the queue's -poison queue", labels).set(Double(q.poison))
    }
    for t in storage.timers {
      let labels = [("function", t.function)]
      if let last = t.lastRun {
        gauge("functions_timer_last_run_timestamp_seconds", "Last run of a timer trigger (Unix time)", labels).set(last)
      }
      if let next = t.nextRun {
        gauge("functions_timer_next_run_timestamp_seconds", "Next run of a timer trigger (Unix time)", labels).set(next)
      }
    }
  }

  private func gauge(_ name: String, _ help: String, _ labels: [(String, String)]) -> Prometheus.Gauge {
    let key = name + labels.map { "|\($0.1)" }.joined()
    return gauges.withLock { gauges in
      if let gauge = gauges[key] { return gauge }
      let gauge = registry.makeGauge(
        descriptor: MetricNameDescriptor(metricName: name, unitName: "", helpText: help), labels: labels)
      gauges[key] = gauge
      return gauge
    }
  }

  /// The metrics in Prometheus text format.
  public func prometheusText() -> String {
    registry.emitToString()
  }
}

extension HostMetrics.FunctionMeters {
  /// The handles of one function with the trigger they were made for.
  struct Entry: Sendable {
    var trigger: String
    var meters: HostMetrics.FunctionMeters
  }
}
