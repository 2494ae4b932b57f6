internal import FunctionsRPC
internal import GRPCCore
internal import Logging

/// The host's side of `AzureFunctionsRpcMessages.FunctionRpc/EventStream`.
///
/// The first message must be a StartStream carrying a worker id that this host issued; anything else
/// ends the stream with a logged reason. After that, the stream's lifetime is the channel's lifetime.
struct FunctionRpcService: AzureFunctionsRpcMessages_FunctionRpc.SimpleServiceProtocol {
  let registry: WorkerRegistry
  let logger: Logger
  var maxMessageSize: Int = Int(Int32.max)

  func eventStream(
    request: RPCAsyncSequence<StreamingMessage, any Error>,
    response: RPCWriter<StreamingMessage>,
    context: ServerContext
  ) async throws {
    var iterator = request.makeAsyncIterator()
    let first: StreamingMessage?
    do { first = try await iterator.next() } catch {
      logger.warning("a worker stream failed before its first message: \(error)", metadata: ["peer": "\(context.remotePeer)"])
      return
    }
    guard let first else {
      logger.warning("a worker stream closed before sending StartStream", metadata: ["peer": "\(context.remotePeer)"])
      return
    }
    guard case .startStream(let start) = first.content else {
      logger.warning(
        "a worker stream's first message was not StartStream; stream closed",
        metadata: ["peer": "\(context.remotePeer)", "message": "\(String(describing: first.content).prefix(80))"])
      throw RPCError(code: .failedPrecondition, message: "the first message must be StartStream")
    }
    guard let channel = registry.channel(for: start.workerID) else {
      logger.warning(
        "StartStream with a worker id this host did not issue; stream closed",
        metadata: ["peer": "\(context.remotePeer)", "workerId": "\(start.workerID.prefix(64))"])
      throw RPCError(code: .permissionDenied, message: "unknown worker id")
    }
    guard channel.attach(writer: response) else {
      logger.warning("a second stream for worker \(channel.slot) was refused")
      throw RPCError(code: .alreadyExists, message: "this worker id already has a stream")
    }
    var reason = "worker \(channel.slot) closed its stream"
    do {
      while let message = try await iterator.next() {
        channel.receive(message)
      }
    } catch is CancellationError {
      reason = "worker \(channel.slot)'s stream was cancelled (host shutting down)"
    } catch {
      reason = "worker \(channel.slot)'s stream failed: \(error)"
      if let rpc = error as? RPCError, rpc.code == .resourceExhausted || rpc.message.contains("decode") {
        reason += " (if the worker sent a message over the host's limit of \(maxMessageSize) bytes, raise it with --max-message-size)"
      }
      logger.warning("\(reason)")
    }
    // The worker's lifecycle decides what its callers are told, from this and the process's exit.
    channel.streamEnded(reason: reason)
  }
}
