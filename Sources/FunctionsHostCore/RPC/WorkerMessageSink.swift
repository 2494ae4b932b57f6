package import FunctionsRPC
package import NIOCore

/// Where a channel's outbound messages go: an EventStream (HTTP/2), or a test's recording sink.
package protocol WorkerMessageSink: Sendable {
  /// Sends one message to the worker.
  func write(_ message: AzureFunctionsRpcMessages_StreamingMessage) async throws

  /// Whether ``trySend(_:)`` works (the message is queued without waiting).
  var sendsSynchronously: Bool { get }

  /// Queues one message without waiting; only when ``sendsSynchronously``.
  func trySend(_ message: AzureFunctionsRpcMessages_StreamingMessage) throws

  /// Queues one `InvocationRequest` without waiting; only when ``sendsSynchronously``.
  func trySend(invocation request: AzureFunctionsRpcMessages_InvocationRequest) throws

  /// The event loop the stream lives on, when it is a NIO channel (for event-loop affinity).
  var eventLoop: (any EventLoop)? { get }
}

extension WorkerMessageSink {
  /// No event loop known.
  package var eventLoop: (any EventLoop)? { nil }

  /// Sinks that can only write asynchronously.
  package var sendsSynchronously: Bool { false }

  /// Not supported: see ``sendsSynchronously``.
  package func trySend(_ message: AzureFunctionsRpcMessages_StreamingMessage) throws {
    throw FunctionsHostError(code: .internalError, message: "this worker stream cannot send synchronously")
  }

  /// The request in a `StreamingMessage`, through ``trySend(_:)``.
  package func trySend(invocation request: AzureFunctionsRpcMessages_InvocationRequest) throws {
    var message = AzureFunctionsRpcMessages_StreamingMessage()
    message.invocationRequest = request
    try trySend(message)
  }
}
