extension FunctionsHost {
  /// Everything the host needs; the CLI fills it from flags and the environment.
  ///
  /// ```swift
  /// var config = FunctionsHost.Configuration(scriptRoot: "/app", worker: python)
  /// config.workerCount = 2
  /// ```
  /// The transport between host and workers. Every transport is served; this picks where the workers
  /// are told to connect.
  public enum Transport: String, Sendable, Hashable, CaseIterable {
    /// gRPC (HTTP/2, standard framing) over TCP on 127.0.0.1, for every worker.
    case grpc
    /// The same gRPC EventStream over HTTP/2 on a Unix domain socket in a private directory, for workers
    /// that support it (the bundled Python worker, `--functions-h2-uds-path`); others use TCP. The default.
    case unixSocket = "uds"
  }

  public struct Configuration: Sendable {
    /// The app's script root.
    public var scriptRoot: String
    /// The app, when the caller already read it with ``FunctionApp/load(scriptRoot:)`` (the CLI does, for
    /// host.json settings of the front door); `nil` reads ``scriptRoot``. Hot reload always re-reads it.
    public var app: FunctionApp? = nil
    /// How to start a worker.
    public var worker: WorkerDescription
    /// Number of worker processes; `nil` means FUNCTIONS_WORKER_PROCESS_COUNT from the app settings, else 1.
    public var workerCount: Int?
    /// The environment the workers inherit (the host's own environment, as read by the CLI).
    public var environment: [String: String]
    /// The gRPC listener host (loopback by default).
    public var rpcHost: String = "127.0.0.1"
    /// The gRPC port; 0 lets the OS choose.
    public var rpcPort: Int = 0
    /// Largest gRPC message accepted from a worker; default: no cap (Int32.max, as the stock host).
    public var maxMessageSize: Int = Int(Int32.max)
    /// Time for a worker process to send StartStream (any stream on the worker endpoints that has sent no
    /// StartStream 5 seconds after this is closed).
    public var startTimeout: Duration = .seconds(60)
    /// Largest message accepted on a worker stream before its StartStream (a stranger's stream).
    public var maxMessageSizeBeforeStart: Int = 64 * 1024
    /// Time for a worker to answer WorkerInitRequest.
    public var initTimeout: Duration = .seconds(10)
    /// Time for a worker to answer one FunctionLoadRequest.
    public var loadTimeout: Duration = .seconds(60)
    /// How long an invocation waits for a ready worker before failing with `workerUnavailable`.
    public var dispatchWaitTimeout: Duration = .seconds(60)
    /// Time a worker gets to exit after WorkerTerminate or SIGTERM before SIGKILL.
    public var terminateGrace: Duration = .seconds(5)
    /// Time in-flight invocations get to finish during shutdown.
    public var drainTimeout: Duration = .seconds(10)
    /// Time limit of one invocation; `nil` takes host.json `functionTimeout`, else 30 minutes (the stock
    /// host's default outside the Consumption plan). `.zero` or less means no limit.
    public var functionTimeout: Duration? = nil
    /// How often workers that advertise WorkerStatus are probed, and how long a probe may take.
    public var healthInterval: Duration = .seconds(10)
    /// How long a health probe may take before the worker is replaced.
    public var healthTimeout: Duration = .seconds(30)
    /// How workers connect: gRPC over a Unix socket for workers that support it (the bundled Python
    /// worker; others use TCP), or gRPC over TCP for every worker.
    /// `nil` takes host.json `functionsHost.transport`, else ``Transport/unixSocket``.
    public var transport: Transport? = nil
    /// Whether a change under the script root (code, function.json, host.json, local.settings.json,
    /// requirements.txt) rolls the workers over to the new version (hot reload).
    public var reloadOnChange: Bool = false
    /// How often the script root is checked for changes.
    public var reloadPollInterval: Duration = .seconds(1)
    /// Told when a worker process starts or ends (metrics, dashboards); called on the supervisor's task,
    /// so it must return quickly.
    public var onWorkerEvent: (@Sendable (WorkerEvent) -> Void)? = nil
    /// The version string sent in WorkerInitRequest.
    public var hostVersion: String = "functions-host 0.1.0"
    /// What starts worker processes: real processes through swift-subprocess, or (in tests) scripted
    /// workers in-process.
    package var processRunner: any WorkerProcessRunning = SubprocessWorkerRunner()
    /// How long a worker process may outlive its stream before it is torn down (its exit names the
    /// reason when it exits sooner).
    package var streamLossGrace: Duration = .milliseconds(500)
    /// The clock of the worker runtime's timers (start-up, health, invocation deadlines, restarts); a
    /// test clock in tests.
    package var clock: any Clock<Duration> = ContinuousClock()

    /// Creates a configuration with defaults.
    public init(
      scriptRoot: String, worker: WorkerDescription, workerCount: Int? = nil, environment: [String: String] = [:]
    ) {
      self.scriptRoot = scriptRoot
      self.worker = worker
      self.workerCount = workerCount
      self.environment = environment
    }
  }
}
