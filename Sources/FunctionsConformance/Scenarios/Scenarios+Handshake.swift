internal import Foundation
internal import FunctionsRPC
internal import SwiftProtobuf

extension ConformanceScenario {
  /// `start-stream`: the first message is StartStream with the worker id from the command line.
  public static let startStream = ConformanceScenario(
    name: "start-stream", summary: "StartStream is the first message and carries the given worker id"
  ) { context in
    try await context.session.expectStartStream()
    return nil
  }

  /// `worker-init`: WorkerInitResponse succeeds and its capabilities are well-formed.
  public static let workerInit = ConformanceScenario(
    name: "worker-init", summary: "WorkerInitResponse succeeds; capabilities are well-formed"
  ) { context in
    let session = context.session
    try await session.expectStartStream()
    let response = try await session.initialize()
    try require(
      response.result.status == .success,
      "WorkerInitResponse reported \(ConformanceSession.describe(response.result)) (status defaults to Failure when unset)")
    for (key, value) in response.capabilities {
      try require(!key.isEmpty, "a capability has an empty name")
      try require(!key.contains(where: \.isWhitespace), "capability name '\(key)' contains whitespace")
      try require(!value.isEmpty, "capability '\(key)' has an empty value (hosts read an empty value as absent)")
    }
    if response.hasWorkerMetadata {
      try require(!response.workerMetadata.runtimeName.isEmpty, "worker_metadata is present but runtime_name is empty")
    }
    let names = response.capabilities.keys.sorted()
    return names.isEmpty ? "no capabilities" : "capabilities: \(names.joined(separator: ", "))"
  }

  /// `worker-status`: WorkerStatusRequest is answered with the same request_id (when `WorkerStatus` is advertised).
  public static let workerStatus = ConformanceScenario(
    name: "worker-status", summary: "WorkerStatusResponse echoes the request's request_id (if WorkerStatus)"
  ) { context in
    let session = context.session
    try await session.handshake()
    guard !(session.capabilities["WorkerStatus"] ?? "").isEmpty else {
      throw ScenarioSkip("the worker does not advertise WorkerStatus")
    }
    var last = ""
    for round in 0..<3 {
      let id = "status-\(round)-\(UUID().uuidString.lowercased())"
      var message = AzureFunctionsRpcMessages_StreamingMessage()
      message.requestID = id
      message.workerStatusRequest = .init()
      let reply = try await session.exchange(message, timeout: session.configuration.replyTimeout, what: "WorkerStatusResponse") {
        if case .workerStatusResponse = $0.content { return true }
        return false
      }
      try require(
        reply.requestID == id,
        "WorkerStatusResponse carried request_id '\(reply.requestID.prefix(60))', expected '\(id)'")
      last = id
    }
    _ = last
    return "3 round trips correlated"
  }

  /// `unknown-message`: a StreamingMessage with an unknown oneof member (field 99) is ignored.
  public static let unknownMessage = ConformanceScenario(
    name: "unknown-message", summary: "an unknown StreamingMessage member (field 99) is ignored; the worker keeps working"
  ) { context in
    let session = context.session
    try await session.handshake()
    let echo = try await session.loadSuccessfully(ConformanceFixtures.echo)
    // request_id = "future" (field 1) + field 99 (length-delimited) holding a message with field 1 = "from the future".
    var bytes: [UInt8] = [0x0A, 6] + Array("future".utf8)
    let inner: [UInt8] = [0x0A, 15] + Array("from the future".utf8)
    bytes += [0x9A, 0x06, UInt8(inner.count)] + inner
    let message = try AzureFunctionsRpcMessages_StreamingMessage(serializedBytes: bytes)
    try require(message.content == nil, "internal: field 99 decoded as a known member")
    for _ in 0..<3 { try await session.send(message) }
    let outcome = try await session.invoke(functionID: echo, input: "item", data: .string("still here"))
    try require(
      outcome.response.result.status == .success && outcome.response.returnValue.string == "still here",
      "after unknown messages, echo answered \(ConformanceSession.describe(outcome.response.result))")
    if let exit = session.exit { throw ScenarioFailure("the worker \(exit.description)") }
    return nil
  }

  /// `worker-terminate`: WorkerTerminate makes the worker exit within its grace period (if advertised).
  public static let workerTerminate = ConformanceScenario(
    name: "worker-terminate", summary: "WorkerTerminate ends the worker within the grace period (if advertised)"
  ) { context in
    let session = context.session
    try await session.handshake()
    guard !(session.capabilities["HandlesWorkerTerminateMessage"] ?? "").isEmpty else {
      throw ScenarioSkip("the worker does not advertise HandlesWorkerTerminateMessage")
    }
    var message = AzureFunctionsRpcMessages_StreamingMessage()
    message.workerTerminate.gracePeriod = .init(seconds: 2, nanos: 0)
    let start = ContinuousClock.now
    try await session.send(message)
    guard let exit = await session.waitForExit(timeout: .seconds(7)) else {
      throw ScenarioFailure("the worker was still running 7 s after WorkerTerminate{grace 2 s}")
    }
    return "\(exit.description) after \((ContinuousClock.now - start).text)"
  }

  /// `environment-reload`: FunctionEnvironmentReloadRequest succeeds and functions see the new environment.
  public static let environmentReload = ConformanceScenario(
    name: "environment-reload",
    summary: "FunctionEnvironmentReloadRequest succeeds and invocations see the new variables (if supported)"
  ) { context in
    let session = context.session
    try await session.handshake()
    var variables = session.configuration.environment.filter { !$0.value.isEmpty }
    variables["CONFORMANCE_RELOADED"] = "reloaded-value"
    var message = AzureFunctionsRpcMessages_StreamingMessage()
    message.functionEnvironmentReloadRequest.environmentVariables = variables
    message.functionEnvironmentReloadRequest.functionAppDirectory = session.appDirectory
    let mark = session.lastIndex
    try await session.send(message)
    guard
      let reply = await session.waitForMessage(
        after: mark, timeout: session.configuration.replyTimeout,
        where: {
          if case .functionEnvironmentReloadResponse = $0.content { return true }
          return false
        })
    else {
      if let exit = session.exit { throw ScenarioFailure("the worker \(exit.description) after the reload request") }
      if let end = session.streamEnd { throw ScenarioFailure("\(end) after the reload request") }
      throw ScenarioSkip("no FunctionEnvironmentReloadResponse (placeholder specialization is optional)")
    }
    let result = reply.message.functionEnvironmentReloadResponse.result
    try require(result.status == .success, "FunctionEnvironmentReloadResponse reported \(ConformanceSession.describe(result))")
    let env = try await session.loadSuccessfully(ConformanceFixtures.env)
    let outcome = try await session.invoke(functionID: env, input: "item", data: .string("CONFORMANCE_RELOADED"))
    try require(outcome.response.result.status == .success, "env failed: \(ConformanceSession.describe(outcome.response.result))")
    let seen = outcome.response.returnValue.string
    try require(seen == "reloaded-value", "after the reload a function saw CONFORMANCE_RELOADED='\(seen)'")
    return nil
  }
}
