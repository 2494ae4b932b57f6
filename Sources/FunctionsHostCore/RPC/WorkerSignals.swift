/// Signals a worker sends the host inside ordinary protocol messages, so that any host stays
/// compatible (one that does not know them just logs the line).
package enum WorkerSignals {
  /// The `RpcLog.eventId` with which the bundled worker says that a cancelled invocation keeps running
  /// (a sync function in a thread that Python cannot stop). It comes as a System log line at Warning
  /// level, tagged with the invocation, before the invocation's Cancelled response.
  ///
  /// For an invocation that passed its functionTimeout, the host then starts a replacement worker, sends
  /// new work there, lets this worker's other invocations finish and stops it: only the stuck invocation
  /// is lost. (A cancel sent because the caller went away is not acted on.)
  package static let invocationStillRunning = "FunctionsHost.InvocationStillRunning"
}
