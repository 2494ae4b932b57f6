public import FunctionsHostCore
public import FunctionsHostHTTP
public import FunctionsObservability
public import FunctionsStorage

extension FunctionsApplication {
  /// Everything ``FunctionsApplication`` needs besides the app folder. Library code never reads the
  /// process environment: pass it in ``environment`` if the workers should inherit it.
  ///
  /// ```swift
  /// let configuration = FunctionsApplication.Configuration.defaults {
  ///   $0.http = .init(host: "127.0.0.1", port: 0)     // nil: no socket, in-process calls only
  ///   $0.storageEndpoints = nil                        // no Azure-compatible Blob/Queue endpoints
  ///   $0.environment = ProcessInfo.processInfo.environment
  /// }
  /// ```
  public struct Configuration: Sendable {
    /// The worker processes to run.
    public var worker: Worker = .bundledPython()
    /// Number of worker processes; `nil` takes FUNCTIONS_WORKER_PROCESS_COUNT from the app settings, else 1.
    public var workerCount: Int? = nil
    /// How workers connect; `nil` takes host.json `functionsHost.transport`, else ``FunctionsHost/Transport/unixSocket``
    /// (gRPC over a Unix socket for the bundled worker, TCP for others).
    public var transport: FunctionsHost.Transport? = nil
    /// Where the HTTP front door listens; `nil` serves no socket (``FunctionsApplication/respond(to:body:)``
    /// still works). Default `127.0.0.1:7071`, as `func start`.
    public var http: HTTPAddress? = HTTPAddress()
    /// Whether the front door answers function requests on its event loops when a worker can take them
    /// at once (see `HTTPFrontDoor.Configuration.eventLoopInvocations`). Default `true`.
    public var httpInvocationsOnEventLoop = true
    /// The store of queues, blobs and timer state. Default: a per-app SQLite file in ``cacheDirectory``.
    public var storage: Storage = .defaultFile
    /// The Azure-compatible Blob and Queue endpoints; `nil` serves none (triggers and bindings still use
    /// the store). Default: ports 10000 and 10001, as Azurite; a taken default port is logged and skipped.
    public var storageEndpoints: StorageEndpointPorts? = StorageEndpointPorts()
    /// Function keys. Default ``Keys/none``: every function is anonymous, as `func start`.
    public var keys: Keys = .none
    /// Host-level CORS; `nil` takes local.settings.json `Host.CORS`.
    public var cors: HTTPFrontDoor.CORSPolicy? = nil
    /// The environment the workers inherit and app settings are merged over (library code never reads
    /// the process environment). Default empty.
    public var environment: [String: String] = [:]
    /// The cache folder: the bundled worker, managed virtual environments, default store and secrets.
    /// `nil` uses `BundledPythonWorker.defaultCacheDirectory(environment:)` with ``environment``.
    public var cacheDirectory: String? = nil
    /// Whether changed app files roll the workers over to the new version. Default `false`.
    public var reloadOnChange: Bool = false
    /// This host's name in queue leases and logs; `nil` (the default) uses the machine's hostname.
    public var hostID: String? = nil
    /// Called with each progress line while the bundled worker's Python environment is prepared
    /// (pip output included); the lines also go to the logger.
    public var onProgress: (@Sendable (String) -> Void)? = nil
    /// The app, when the caller already read it with `FunctionApp.load(scriptRoot:environment:)`.
    public var app: FunctionApp? = nil
    /// Adjusts the lower-level host configuration last (timeouts, message size, …).
    public var configureHost: (@Sendable (inout FunctionsHost.Configuration) -> Void)? = nil
    /// What the host records for `/admin/metrics` and `/admin/dashboard`.
    public var telemetry: HostTelemetry.Configuration = .defaults
    /// A port of its own for the Prometheus metrics (`GET /metrics`, on the HTTP host address); `nil`
    /// serves them only at the front door's `/admin/metrics`; 0 picks a free port.
    public var metricsPort: Int? = nil

    /// Creates the default configuration.
    public init() {}

    /// The default configuration.
    public static var defaults: Self { Self() }

    /// The default configuration, changed by `configure`.
    public static func defaults(_ configure: (inout Self) -> Void) -> Self {
      var configuration = Self()
      configure(&configuration)
      return configuration
    }
  }

  /// The worker processes an application runs.
  public enum Worker: Sendable {
    /// The bundled Python worker, with a prepared Python environment: `interpreter` (a path or a name on
    /// `PATH`), else the app's `.venv`, else `python3`.
    case bundledPython(interpreter: String? = nil)
    /// Any FunctionRpc worker, e.g. `WorkerDescription.command("python -m azure_functions_worker")`.
    case custom(WorkerDescription)
  }

  /// Where the HTTP front door listens.
  public struct HTTPAddress: Sendable, Hashable {
    /// The address to bind. Default `127.0.0.1`.
    public var host: String
    /// The port; `0` picks a free one; `nil` takes local.settings.json `Host.LocalHttpPort`, else 7071.
    public var port: Int?

    /// Creates an address.
    public init(host: String = "127.0.0.1", port: Int? = nil) {
      self.host = host
      self.port = port
    }
  }

  /// The store triggers and bindings use.
  public enum Storage: Sendable {
    /// A SQLite file `<cache>/storage/<app>-<hash>.sqlite`.
    case defaultFile
    /// A SQLite file at this path (created if missing).
    case sqlite(path: String)
    /// Any store; the caller owns (and closes) it.
    case store(any FunctionsStore)
    /// A PostgreSQL database, `postgres://user[:password]@host[:port]/db`, shared by every host that names
    /// it (queues, blobs, receipts, timer status and leases; schema migrations applied at start).
    case postgres(url: String)
  }

  /// Ports of the Azure-compatible Blob and Queue endpoints.
  public struct StorageEndpointPorts: Sendable, Hashable {
    /// The Blob port (`0` picks a free one). Default 10000.
    public var blob: Int?
    /// The Queue port (`0` picks a free one). Default 10001.
    public var queue: Int?

    /// Creates ports; `nil` means the default port, which is skipped (with a warning) when taken.
    /// Ports given explicitly that cannot be bound stop the application with the error.
    public init(blob: Int? = nil, queue: Int? = nil) {
      self.blob = blob
      self.queue = queue
    }
  }

  /// Function keys.
  public enum Keys: Sendable, Hashable {
    /// No keys: every function is anonymous and `/admin` is open.
    case none
    /// Keys from a secrets file (created with new keys when missing; keys of new functions are added);
    /// `nil` uses `<cache>/secrets/<app>-<hash>.json`.
    case secretsFile(String? = nil)
    /// Every function is anonymous, but `/admin` keeps needing the master key from the secrets file
    /// (created when missing); `nil` uses `<cache>/secrets/<app>-<hash>.json`. What
    /// `functions-host start --no-auth` uses.
    case adminOnly(secretsFile: String? = nil)
  }
}
