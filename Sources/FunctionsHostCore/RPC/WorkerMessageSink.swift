package import FunctionsRPC

/// Where a channel's outbound messages go: an EventStream (HTTP/2) or a raw-frame Unix-socket connection.
package protocol WorkerMessageSink: Sendable {
  /// Sends one message to the worker.
  func write(_ message: AzureFunctionsRpcMessages_StreamingMessage) async throws
}
