/// Where ``BundledPythonWorker/materialize(into:)`` put the worker files.
///
/// ```swift
/// let worker = try BundledPythonWorker.materialize(into: cache)
/// print(worker.directory)         // ~/.cache/functions-host/worker-3f0c…
/// print(worker.workerScript)      // …/worker.py
/// print(worker.requirementsFile)  // …/requirements.txt
/// ```
public struct BundledWorkerLocation: Sendable, Hashable {
  /// The worker directory, `<cache>/worker-<content hash>`.
  public var directory: String
  /// The absolute path of `worker.py`.
  public var workerScript: String
  /// The absolute path of the worker's `requirements.txt`.
  public var requirementsFile: String

  /// Creates a location from its directory.
  public init(directory: String) {
    self.directory = directory
    self.workerScript = LocalFiles.join(directory, BundledPythonWorker.workerScriptPath)
    self.requirementsFile = LocalFiles.join(directory, BundledPythonWorker.requirementsPath)
  }
}
