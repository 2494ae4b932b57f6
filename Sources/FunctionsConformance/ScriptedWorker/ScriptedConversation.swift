internal import Foundation
internal import FunctionsRPC
internal import GRPCCore
internal import SwiftProtobuf
internal import Synchronization

/// One scripted worker's stream: reads host messages, answers according to the mode.
final class ScriptedConversation: Sendable {
  typealias Mode = ScriptedWorker.Mode

  let mode: Mode
  let exitsProcessOnCrash: Bool
  let launch: WorkerLaunch
  let sink: AsyncStream<RawFrame>.Continuation
  let cancels = EventLog<String>()
  private let stateBox = Mutex(State())

  func state<R>(_ body: (inout State) -> R) -> R { stateBox.withLock { body(&$0) } }

  struct State {
    var functions: [String: String] = [:]
    var environment: [String: String] = [:]
    var inflight = 0
    var lastTag = ""
    var sentOversized = false
  }

  init(worker: ScriptedWorker, launch: WorkerLaunch, sink: AsyncStream<RawFrame>.Continuation) {
    self.mode = worker.mode
    self.exitsProcessOnCrash = worker.exitsProcessOnCrash
    self.launch = launch
    self.sink = sink
  }

  func send(_ message: StreamingMessage) {
    guard let bytes: [UInt8] = try? message.serializedBytes() else { return }
    sink.yield(RawFrame(bytes: bytes))
  }

  func crash(_ reason: String) throws -> Never {
    if exitsProcessOnCrash {
      FileHandle.standardError.write(Data("scripted worker (\(mode.rawValue)): crashing: \(reason)\n".utf8))
      exit(3)
    }
    throw ScriptedWorkerCrash(description: "\(mode.rawValue): \(reason)")
  }

  func run(_ messages: RPCAsyncSequence<RawFrame, any Error>) async throws {
    defer { sink.finish() }
    switch mode {
    case .noStartStream: break
    case .wrongWorkerID: send(.with { $0.startStream.workerID = "not-" + launch.workerID })
    default: send(.with { $0.requestID = launch.requestID; $0.startStream.workerID = launch.workerID })
    }
    try await withThrowingTaskGroup(of: Void.self) { group in
      for try await frame in messages {
        let message = try StreamingMessage(serializedBytes: frame.bytes)
        if try handle(message, group: &group) == false { break }
      }
      group.cancelAll()
    }
  }

  /// Returns false to end the conversation.
  private func handle(_ message: StreamingMessage, group: inout ThrowingTaskGroup<Void, any Error>) throws -> Bool {
    switch message.content {
    case .workerInitRequest:
      initResponse(group: &group)
    case .workerStatusRequest:
      switch mode {
      case .ignoresStatusRequest: break
      case .statusWithoutRequestID: send(.with { $0.workerStatusResponse = .init() })
      default: send(.with { $0.requestID = message.requestID; $0.workerStatusResponse = .init() })
      }
    case .functionsMetadataRequest:
      send(.with { reply in
        reply.requestID = message.requestID
        reply.functionMetadataResponse.result.status = .success
        if !httpProxyCapabilities.isEmpty {
          reply.functionMetadataResponse.functionMetadataResults = [Self.streamingFunction]
        } else if mode == .invalidMetadata {
          var bad = RpcFunctionMetadata()
          bad.name = "9 not a valid name!"
          bad.functionID = "bad"
          bad.rawBindings = [#"{"type": "conformance", "direction": "out", "name": "$return"}"#]
          reply.functionMetadataResponse.functionMetadataResults = [bad]
        } else {
          reply.functionMetadataResponse.useDefaultMetadataIndexing = true
        }
      })
    case .functionLoadRequest(let request):
      try load(request)
    case .invocationRequest(let request):
      if mode == .crashMidInvocation { try crash("invocation \(request.invocationID) arrived") }
      group.addTask { try await self.invoke(request) }
    case .invocationCancel(let cancel):
      if mode != .ignoresCancel { cancels.append(cancel.invocationID) }
    case .workerTerminate:
      if mode != .ignoresTerminate { return false }
    case .functionEnvironmentReloadRequest(let request):
      state { $0.environment = request.environmentVariables }
      send(.with { reply in
        reply.functionEnvironmentReloadResponse.capabilities = ScriptedWorker.capabilities
        reply.functionEnvironmentReloadResponse.result.status = mode == .failsEnvironmentReload ? .failure : .success
        if mode == .failsEnvironmentReload {
          reply.functionEnvironmentReloadResponse.result.exception.message = "scripted: reload refused"
        }
      })
    case nil:
      if mode == .crashesOnUnknownMessage { try crash("a StreamingMessage with an unknown member arrived") }
    default:
      break
    }
    return true
  }

  private func initResponse(group: inout ThrowingTaskGroup<Void, any Error>) {
    if mode == .garbageFrames {
      sink.yield(RawFrame(bytes: [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x07]))
      return
    }
    var reply = StreamingMessage()
    reply.requestID = launch.requestID
    reply.workerInitResponse.workerVersion = "1.0.0"
    reply.workerInitResponse.capabilities = ScriptedWorker.capabilities
    if mode == .emptyCapabilityValue { reply.workerInitResponse.capabilities["ScriptedExtra"] = "" }
    reply.workerInitResponse.capabilities.merge(httpProxyCapabilities) { _, fault in fault }
    reply.workerInitResponse.workerMetadata.runtimeName = "scripted"
    reply.workerInitResponse.workerMetadata.runtimeVersion = "1"
    reply.workerInitResponse.result.status = .success
    if mode == .failedInit {
      reply.workerInitResponse.result.status = .failure
      reply.workerInitResponse.result.exception.message = "scripted: init refused"
    }
    if mode == .slowInit {
      group.addTask {
        try await Task.sleep(for: .seconds(120))
        self.send(reply)
      }
      return
    }
    send(reply)
  }

  private func load(_ request: AzureFunctionsRpcMessages_FunctionLoadRequest) throws {
    let name = request.metadata.name
    var reply = StreamingMessage()
    reply.requestID = launch.requestID
    reply.functionLoadResponse.functionID = request.functionID
    if name == "broken" && mode != .loadsBrokenFunction {
      if mode == .exitsOnLoadFailure { try crash("function 'broken' failed to load") }
      reply.functionLoadResponse.result.status = .failure
      reply.functionLoadResponse.result.exception.message =
        "ModuleNotFoundError: No module named 'conformance_fixture_module_that_does_not_exist'"
    } else {
      state { $0.functions[request.functionID] = name }
      reply.functionLoadResponse.result.status = .success
    }
    send(reply)
  }
}
