internal import FunctionsRPC
internal import GRPCCore

/// The mini host's EventStream: one worker stream per session; a second one is refused.
struct ConformanceEventStreamService: AzureFunctionsRpcMessages_FunctionRpc.SimpleServiceProtocol {
  let session: ConformanceSession

  func eventStream(
    request: RPCAsyncSequence<StreamingMessage, any Error>,
    response: RPCWriter<StreamingMessage>,
    context: ServerContext
  ) async throws {
    guard session.attach(response) else {
      throw RPCError(code: .alreadyExists, message: "the conformance host accepts one stream per worker")
    }
    do {
      for try await message in request {
        session.received.append(message)
      }
      session.streamEnded("the worker closed its stream")
    } catch {
      session.streamEnded("the stream failed: \(error)")
    }
  }
}
