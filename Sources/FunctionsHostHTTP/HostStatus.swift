public import FunctionsHostCore

/// What `/admin/host/status` reports: the host's workers.
///
/// Give the front door a provider,
/// `HTTPFrontDoor(…, statusProvider: { HostStatus(workers: host.workers()) })`; it is called once
/// per status request.
///
/// The endpoint's JSON:
///
/// ```json
/// {"state": "Running", "readyWorkers": 1,
///  "workers": [{"slot": 0, "pid": 4242, "ready": true, "inFlight": 0,
///               "starts": 1, "restarts": 0}]}
/// ```
///
/// `state` is `Running` when a worker is ready, else `Starting` (the supervisor keeps restarting
/// workers that fail); `restarts` is `starts - 1`.
public struct HostStatus: Sendable, Hashable {
  /// The worker processes, by slot.
  public var workers: [WorkerStatus]

  /// Creates a status.
  public init(workers: [WorkerStatus]) {
    self.workers = workers
  }

  /// `Running` when some worker is ready, else `Starting`.
  public var state: String { workers.contains(where: \.isReady) ? "Running" : "Starting" }

  /// The JSON body of `/admin/host/status`.
  var json: String {
    let items = workers.sorted { $0.slot < $1.slot }.map { worker in
      "{\"slot\":\(worker.slot)"
        + ",\"pid\":\(worker.pid.map { String($0) } ?? "null")"
        + ",\"ready\":\(worker.isReady)"
        + ",\"inFlight\":\(worker.outstanding)"
        + ",\"starts\":\(worker.starts)"
        + ",\"restarts\":\(max(0, worker.starts - 1))}"
    }
    return "{\"state\":\(JSONValue.quote(state))"
      + ",\"readyWorkers\":\(workers.filter(\.isReady).count)"
      + ",\"workers\":[\(items.joined(separator: ","))]}"
  }
}
