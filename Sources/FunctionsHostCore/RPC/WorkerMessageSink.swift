package import FunctionsRPC
package import GRPCCore

/// Where a channel's outbound messages go: a gRPC stream or a Unix-socket connection.
package protocol WorkerMessageSink: Sendable {
  /// Sends one message to the worker.
  func write(_ message: AzureFunctionsRpcMessages_StreamingMessage) async throws
}

extension RPCWriter: WorkerMessageSink where Element == AzureFunctionsRpcMessages_StreamingMessage {}
