internal import Foundation
internal import Logging
package import FunctionsRPC
internal import SwiftProtobuf
internal import Synchronization

extension WorkerChannel {
  /// Sends a request and waits for the reply of the given kind.
  private func request(_ message: StreamingMessage, key: ReplyTable.Key) async throws -> StreamingMessage {
    let promise = Promise<StreamingMessage>()
    let error: (any Error)? = state.withLock { s in
      if let reason = s.closeReason { return FunctionsHostError(code: .workerExited, message: reason) }
      guard s.replies.register(key, promise) else {
        return FunctionsHostError(code: .internalError, message: "duplicate request \(key) to worker \(slot)")
      }
      return nil
    }
    if let error { throw error }
    defer { state.withLock { $0.replies.remove(key, ifIs: promise) } }
    try await send(message)
    return try await promise.value()
  }

  func resolve(_ key: ReplyTable.Key, with result: Result<StreamingMessage, any Error>) {
    let p = state.withLock { $0.replies.take(key) }
    p?.complete(result)
  }

  /// WorkerInitRequest → WorkerInitResponse; records the capabilities.
  package func initialize(
    hostVersion: String, workerDirectory: String, appDirectory: String, capabilities: [String: String]
  ) async throws -> AzureFunctionsRpcMessages_WorkerInitResponse {
    var message = StreamingMessage()
    var request = AzureFunctionsRpcMessages_WorkerInitRequest()
    request.hostVersion = hostVersion
    request.workerDirectory = workerDirectory
    request.functionAppDirectory = appDirectory
    request.capabilities = capabilities
    for (category, level) in logLevels.workerCategories {
      request.logCategories[category] = level.rpcLevel
    }
    message.workerInitRequest = request
    let reply = try await self.request(message, key: .initialize)
    let response = reply.workerInitResponse
    if response.result.status == .success {
      let unusable: String? = state.withLock { s in
        s.capabilities.merge(response.capabilities) { $1 }
        s.httpProxy = HTTPProxyTarget(capabilities: s.capabilities)
        let uri = s.capabilities[HTTPProxyTarget.uriCapability] ?? ""
        return s.httpProxy == nil && !uri.isEmpty ? uri : nil
      }
      if let unusable {
        logger.warning(
          "worker \(slot) advertised HttpUri '\(LogSafe.escape(unusable, limit: 200))', which is neither http:// nor http+unix://; its HTTP functions are not streamed (buffered instead)")
      }
    }
    return response
  }

  /// FunctionsMetadataRequest → FunctionMetadataResponse.
  package func functionsMetadata(appDirectory: String) async throws -> AzureFunctionsRpcMessages_FunctionMetadataResponse {
    var message = StreamingMessage()
    var request = AzureFunctionsRpcMessages_FunctionsMetadataRequest()
    request.functionAppDirectory = appDirectory
    message.functionsMetadataRequest = request
    return try await self.request(message, key: .metadata).functionMetadataResponse
  }

  /// FunctionLoadRequest → FunctionLoadResponse; records the load state.
  package func load(_ function: FunctionMetadata) async throws -> AzureFunctionsRpcMessages_FunctionLoadResponse {
    state.withLock { $0.loadStates[function.functionID] = .loading }
    var message = StreamingMessage()
    message.functionLoadRequest = function.loadRequest()
    let response = try await self.request(message, key: .load(functionID: function.functionID)).functionLoadResponse
    let newState: LoadState =
      response.result.status == .success
      ? .loaded
      : .failed(response.result.exception.message.isEmpty ? response.result.result : response.result.exception.message)
    state.withLock { $0.loadStates[function.functionID] = newState }
    return response
  }

  /// Sends WorkerTerminate (only meaningful when the worker advertises HandlesWorkerTerminateMessage).
  package func sendTerminate(grace: Duration) async {
    var message = StreamingMessage()
    var body = AzureFunctionsRpcMessages_WorkerTerminate()
    var d = SwiftProtobuf.Google_Protobuf_Duration()
    d.seconds = grace.components.seconds
    body.gracePeriod = d
    message.workerTerminate = body
    try? await send(message)
  }

  /// WorkerStatusRequest → WorkerStatusResponse (a liveness and latency probe).
  package func status() async throws {
    var message = StreamingMessage()
    let id = UUID().uuidString.lowercased()
    message.requestID = id
    message.workerStatusRequest = AzureFunctionsRpcMessages_WorkerStatusRequest()
    _ = try await self.request(message, key: .status(requestID: id))
  }
}
