package import Logging

/// How to start one worker process: a value the supervisor makes anew for every (re)start.
package struct WorkerProcessLaunch: Sendable, Hashable {
  /// What to run.
  package var executable: String
  /// Arguments after the executable (they include the host's launch arguments).
  package var arguments: [String]
  /// The process's whole environment.
  package var environment: [String: String]
  /// Its working directory.
  package var workingDirectory: String
  /// Time between SIGTERM and SIGKILL.
  package var terminateGrace: Duration

  /// A launch description.
  package init(
    executable: String, arguments: [String], environment: [String: String], workingDirectory: String,
    terminateGrace: Duration
  ) {
    self.executable = executable
    self.arguments = arguments
    self.environment = environment
    self.workingDirectory = workingDirectory
    self.terminateGrace = terminateGrace
  }
}

/// Runs a worker "process" to its end. ``SubprocessWorkerRunner`` starts real processes; tests run
/// scripted workers in-process through the same seam.
package protocol WorkerProcessRunning: Sendable {
  /// Runs `launch` and returns the event that ends its life: ``WorkerLifecycle/Event/processExited(_:)``
  /// or ``WorkerLifecycle/Event/processFailedToStart(_:)``. `onStart` gets the pid once running;
  /// completing `terminate` stops it (gracefully first).
  func run(
    _ launch: WorkerProcessLaunch, slot: Int, logger: Logger, terminate: Promise<Void>,
    onStart: @Sendable (Int32) -> Void
  ) async -> WorkerLifecycle.Event

  /// Whether the pid given to `onStart` is a real OS process that leads its own process group, so that
  /// the worker port may require the worker's connection to come from it (``WorkerPeerCheck``).
  var startsProcessGroups: Bool { get }
}

extension WorkerProcessRunning {
  /// Not unless a runner says so.
  package var startsProcessGroups: Bool { false }
}
