/// One worker process as the supervisor sees it.
public struct WorkerStatus: Sendable, Hashable {
  /// The worker's slot (0-based).
  public var slot: Int
  /// Its process id, once started.
  public var pid: Int32?
  /// Whether it takes invocations now.
  public var isReady: Bool
  /// Invocations sent to it and not yet answered.
  public var outstanding: Int
  /// How many times this slot has started a process.
  public var starts: Int
}

/// What the host knows once its workers started.
public struct StartupReport: Sendable {
  /// The app's functions.
  public var functions: [FunctionMetadata]
  /// Functions that could not be indexed (function.json or decorator errors).
  public var indexingErrors: [FunctionsHostError]
  /// Functions whose load failed, by name, with the worker's message.
  public var loadErrors: [String: String]
  /// Workers ready now.
  public var readyWorkers: Int
}
