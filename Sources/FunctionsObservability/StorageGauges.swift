/// What the queue- and timer-triggered functions wait on, read from the store when metrics are scraped
/// or the dashboard refreshes.
public struct StorageGauges: Sendable, Codable, Hashable {
  /// One queue a queue-triggered function listens to.
  public struct Queue: Sendable, Codable, Hashable {
    /// The function.
    public var function: String
    /// The queue's name.
    public var queue: String
    /// Messages waiting (visible or not).
    public var depth: Int
    /// Age in seconds of the oldest message, if any.
    public var oldestAgeSeconds: Double?
    /// Messages in `<queue>-poison`.
    public var poison: Int

    /// Creates a queue gauge.
    public init(function: String, queue: String, depth: Int, oldestAgeSeconds: Double?, poison: Int) {
      self.function = function
      self.queue = queue
      self.depth = depth
      self.oldestAgeSeconds = oldestAgeSeconds
      self.poison = poison
    }
  }

  /// One timer-triggered function's schedule.
  public struct Timer: Sendable, Codable, Hashable {
    /// The function.
    public var function: String
    /// The last run, seconds since 1970, if it ran.
    public var lastRun: Double?
    /// The next run, seconds since 1970, if known.
    public var nextRun: Double?

    /// Creates a timer gauge.
    public init(function: String, lastRun: Double?, nextRun: Double?) {
      self.function = function
      self.lastRun = lastRun
      self.nextRun = nextRun
    }
  }

  /// The queues.
  public var queues: [Queue]
  /// The timers.
  public var timers: [Timer]

  /// Creates the gauges.
  public init(queues: [Queue] = [], timers: [Timer] = []) {
    self.queues = queues
    self.timers = timers
  }
}
