public import FunctionsRPC
internal import Foundation
internal import SwiftProtobuf

/// The result of one invocation: the response and the RpcLogs the worker sent for it.
public struct InvocationOutcome: Sendable {
  /// The invocation id the kit sent.
  public var invocationID: String
  /// The worker's InvocationResponse.
  public var response: AzureFunctionsRpcMessages_InvocationResponse
  /// RpcLogs tagged with this invocation id that arrived before the response.
  public var logsBefore: [AzureFunctionsRpcMessages_RpcLog]
  /// The response's position in the session's message log.
  public var responseIndex: Int
  /// Time from sending the request to receiving the response.
  public var duration: Duration
}

extension ConformanceSession {
  /// Waits for the first message and checks it is StartStream carrying ``workerID``.
  ///
  /// - Throws: ``ScenarioFailure`` otherwise.
  @discardableResult
  public func expectStartStream() async throws -> AzureFunctionsRpcMessages_StartStream {
    guard let first = await waitForMessage(timeout: configuration.startTimeout) else {
      throw ScenarioFailure(
        "no message within \(configuration.startTimeout.text) of starting the worker"
          + (exit.map { " (the worker \($0.description))" } ?? streamEnd.map { " (\($0))" } ?? "")
          + tailSuffix)
    }
    guard case .startStream(let start) = first.message.content else {
      throw ScenarioFailure("the first message was \(Self.kind(first.message)), not StartStream")
    }
    try require(
      start.workerID == workerID,
      "StartStream carried worker id '\(start.workerID.prefix(80))', expected '\(workerID)' (from --workerId)")
    return start
  }

  /// Sends WorkerInitRequest and returns the WorkerInitResponse (its capabilities are kept in ``capabilities``).
  public func initialize() async throws -> AzureFunctionsRpcMessages_WorkerInitResponse {
    var request = AzureFunctionsRpcMessages_WorkerInitRequest()
    request.hostVersion = "functions-conformance/1.0"
    request.capabilities = ["MultiStream": "10"]
    request.workerDirectory = appDirectory
    request.functionAppDirectory = appDirectory
    var message = AzureFunctionsRpcMessages_StreamingMessage()
    message.workerInitRequest = request
    let reply = try await exchange(message, timeout: configuration.replyTimeout, what: "WorkerInitResponse") {
      if case .workerInitResponse = $0.content { return true }
      return false
    }
    let response = reply.workerInitResponse
    setCapabilities(response.capabilities)
    return response
  }

  /// StartStream, then a successful init.
  public func handshake() async throws {
    try await expectStartStream()
    let response = try await initialize()
    try require(response.result.status == .success, "WorkerInitResponse reported \(Self.describe(response.result))")
  }

  /// Sends a FunctionLoadRequest for a fixture function; returns the function id and the response.
  public func load(_ function: FixtureFunction) async throws
    -> (functionID: String, response: AzureFunctionsRpcMessages_FunctionLoadResponse)
  {
    let id = UUID().uuidString.lowercased()
    return (id, try await load(metadata: function.metadata(appDirectory: appDirectory), functionID: id))
  }

  /// Loads a fixture function and requires success; returns its function id.
  public func loadSuccessfully(_ function: FixtureFunction) async throws -> String {
    let (id, response) = try await load(function)
    try require(
      response.result.status == .success, "loading '\(function.name)' failed: \(Self.describe(response.result))")
    return id
  }

  /// Sends a FunctionLoadRequest and waits for the FunctionLoadResponse with the same function id.
  public func load(metadata: AzureFunctionsRpcMessages_RpcFunctionMetadata, functionID: String) async throws
    -> AzureFunctionsRpcMessages_FunctionLoadResponse
  {
    var request = AzureFunctionsRpcMessages_FunctionLoadRequest()
    request.functionID = functionID
    request.metadata = metadata
    var message = AzureFunctionsRpcMessages_StreamingMessage()
    message.functionLoadRequest = request
    let reply = try await exchange(message, timeout: configuration.replyTimeout, what: "FunctionLoadResponse for \(metadata.name)") {
      if case .functionLoadResponse(let r) = $0.content { return r.functionID == functionID }
      return false
    }
    return reply.functionLoadResponse
  }

  /// Invokes a loaded function with one input binding and waits for the matching InvocationResponse.
  public func invoke(
    functionID: String, input name: String, data: AzureFunctionsRpcMessages_TypedData,
    triggerMetadata: [String: AzureFunctionsRpcMessages_TypedData] = [:], invocationID: String? = nil,
    timeout: Duration? = nil
  ) async throws -> InvocationOutcome {
    let id = invocationID ?? UUID().uuidString.lowercased()
    var request = AzureFunctionsRpcMessages_InvocationRequest()
    request.invocationID = id
    request.functionID = functionID
    var binding = AzureFunctionsRpcMessages_ParameterBinding()
    binding.name = name
    binding.data = data
    request.inputData = [binding]
    request.triggerMetadata = triggerMetadata
    request.traceContext.traceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    var message = AzureFunctionsRpcMessages_StreamingMessage()
    message.invocationRequest = request
    let start = ContinuousClock.now
    let mark = lastIndex
    try await send(message)
    let wait = timeout ?? configuration.invocationTimeout
    guard
      let reply = await waitForMessage(
        after: mark, timeout: wait,
        where: {
          if case .invocationResponse(let r) = $0.content { return r.invocationID == id }
          return false
        })
    else {
      var text = "no InvocationResponse for invocation \(id)" + (await waited(wait))
      let others = received.entries[(mark + 1)...].compactMap { entry -> String? in
        if case .invocationResponse(let r) = entry.element.content { return r.invocationID }
        return nil
      }
      if let other = others.first { text += "; the worker answered invocation id '\(other.prefix(80))' instead" }
      throw ScenarioFailure(text + tailSuffix)
    }
    let logs = received.entries[(mark + 1)..<reply.index].compactMap { entry -> RpcLog? in
      if case .rpcLog(let log) = entry.element.content, log.invocationID == id { return log }
      return nil
    }
    return InvocationOutcome(
      invocationID: id, response: reply.message.invocationResponse, logsBefore: logs, responseIndex: reply.index,
      duration: ContinuousClock.now - start)
  }

  /// Sends `message` and waits for the first later message matching `predicate`.
  ///
  /// - Throws: ``ScenarioFailure`` naming `what` when none arrives within `timeout`.
  public func exchange(
    _ message: AzureFunctionsRpcMessages_StreamingMessage, timeout: Duration, what: String,
    matching predicate: @escaping @Sendable (AzureFunctionsRpcMessages_StreamingMessage) -> Bool
  ) async throws -> AzureFunctionsRpcMessages_StreamingMessage {
    let mark = lastIndex
    try await send(message)
    guard let reply = await waitForMessage(after: mark, timeout: timeout, where: predicate) else {
      throw ScenarioFailure("no \(what)" + (await waited(timeout)) + tailSuffix)
    }
    return reply.message
  }

  /// ` within 10 s`, or ` before the worker ended (it exited with code 3)` when it ended early.
  func waited(_ timeout: Duration) async -> String {
    // A stream that ended usually means the worker is exiting: give it a moment so the exit can be named.
    if streamEnd != nil && exit == nil { _ = await exits.first(timeout: .seconds(1)) }
    let ended = endedSuffix
    return ended.isEmpty ? " within \(timeout.text)" : " before the stream ended" + ended
  }

  var endedSuffix: String {
    if let exit, !exit.stoppedByKit { return " (the worker \(exit.description))" }
    if let streamEnd { return " (\(streamEnd))" }
    return ""
  }

  var tailSuffix: String {
    let tail = outputTail.suffix(3).joined(separator: " | ")
    return tail.isEmpty ? "" : "; worker output: \(tail.prefix(400))"
  }

  /// The oneof case name of a message, for failure messages.
  static func kind(_ message: AzureFunctionsRpcMessages_StreamingMessage) -> String {
    guard let content = message.content else { return "a message with no known content" }
    let text = "\(content)"
    return String(text.prefix(while: { $0 != "(" }))
  }

  /// `Failure: ExcType: message` for a StatusResult.
  static func describe(_ result: AzureFunctionsRpcMessages_StatusResult) -> String {
    var text = "\(result.status)"
    if !result.exception.message.isEmpty { text += ": \(result.exception.message.prefix(300))" }
    else if !result.result.isEmpty { text += ": \(result.result.prefix(300))" }
    return text
  }
}

extension AzureFunctionsRpcMessages_TypedData {
  static func string(_ s: String) -> Self { var d = Self(); d.string = s; return d }
  static func bytes(_ b: Data) -> Self { var d = Self(); d.bytes = b; return d }
  static func json(_ s: String) -> Self { var d = Self(); d.json = s; return d }
  static func int(_ i: Int64) -> Self { var d = Self(); d.int = i; return d }
  static func double(_ x: Double) -> Self { var d = Self(); d.double = x; return d }
}
