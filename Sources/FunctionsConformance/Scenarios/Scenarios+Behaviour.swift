internal import Foundation
internal import FunctionsRPC
internal import SwiftProtobuf

extension ConformanceScenario {
  /// `invocation-logs`: an invocation's RpcLogs arrive before its response and carry its id.
  public static let invocationLogs = ConformanceScenario(
    name: "invocation-logs", summary: "RpcLogs of an invocation arrive before its InvocationResponse, tagged with its id"
  ) { context in
    let session = context.session
    try await session.handshake()
    let fn = try await session.loadSuccessfully(ConformanceFixtures.logs)
    var outcomes: [InvocationOutcome] = []
    for round in 0..<3 {
      outcomes.append(try await session.invoke(functionID: fn, input: "item", data: .string("round-\(round)")))
    }
    for (round, outcome) in outcomes.enumerated() {
      try require(outcome.response.result.status == .success, "logs failed: \(ConformanceSession.describe(outcome.response.result))")
      let before = outcome.logsBefore.map(\.message)
      try require(
        before.contains { $0.contains("conformance log one: round-\(round)") } && before.contains { $0.contains("conformance log two") },
        "the function's two log lines did not arrive, tagged with invocation \(outcome.invocationID), before its response (saw \(before.prefix(4)))")
      if let level = outcome.logsBefore.first(where: { $0.message.contains("conformance log two") })?.level {
        try require(level == .warning, "logging.warning arrived with level \(level), expected Warning")
      }
    }
    // No copy of those lines under another (or no) invocation id.
    let ids = Set(outcomes.map(\.invocationID))
    let strays = session.messages.compactMap { m -> AzureFunctionsRpcMessages_RpcLog? in
      if case .rpcLog(let log) = m.content, log.message.contains("conformance log"), !ids.contains(log.invocationID) { return log }
      return nil
    }
    try require(strays.isEmpty, "\(strays.count) function log lines carried invocation id '\(strays.first?.invocationID ?? "")'")
    return nil
  }

  /// `concurrent-invocations`: 100 invocations in flight at once, each response matching its id.
  public static let concurrentInvocations = ConformanceScenario(
    name: "concurrent-invocations", summary: "100 concurrent invocations; every response matches its id, none twice"
  ) { context in
    let session = context.session
    try await session.handshake()
    let fn = try await session.loadSuccessfully(ConformanceFixtures.slow)
    let count = 100
    let outcomes = try await withThrowingTaskGroup(of: (Int, InvocationOutcome).self) { group in
      for i in 0..<count {
        group.addTask {
          let delay = String(format: "0.%02d", (i * 7) % 20)
          return (i, try await session.invoke(
            functionID: fn, input: "item", data: .string("\(delay)|tag-\(i)"), timeout: .seconds(60)))
        }
      }
      var all: [(Int, InvocationOutcome)] = []
      for try await r in group { all.append(r) }
      return all
    }
    for (i, outcome) in outcomes {
      try require(
        outcome.response.result.status == .success,
        "invocation \(i) failed: \(ConformanceSession.describe(outcome.response.result))")
      try require(
        outcome.response.returnValue.string == "tag-\(i)",
        "invocation \(i) (\(outcome.invocationID)) was answered with '\(outcome.response.returnValue.string)', expected 'tag-\(i)'")
    }
    let sent = Set(outcomes.map(\.1.invocationID))
    var seen: [String: Int] = [:]
    for m in session.messages { if case .invocationResponse(let r) = m.content { seen[r.invocationID, default: 0] += 1 } }
    let unknown = seen.keys.filter { !sent.contains($0) }
    try require(unknown.isEmpty, "responses for invocations never sent: \(unknown.prefix(3))")
    let twice = seen.filter { $0.value > 1 }
    try require(twice.isEmpty, "\(twice.count) invocations were answered more than once")
    let slowest = outcomes.map(\.1.duration).max() ?? .zero
    return "slowest \(slowest.text)"
  }

  /// `large-messages`: a 20 MB payload to the worker and back.
  public static let largeMessages = ConformanceScenario(
    name: "large-messages", summary: "a 20 MB bytes payload travels to the worker and back"
  ) { context in
    let session = context.session
    try await session.handshake()
    let echo = try await session.loadSuccessfully(ConformanceFixtures.echo)
    let size = 20 << 20
    var bytes = [UInt8](repeating: 0, count: size)
    for i in 0..<size { bytes[i] = UInt8(truncatingIfNeeded: i &* 31 &+ (i >> 12)) }
    let payload = Data(bytes)
    let outcome = try await session.invoke(functionID: echo, input: "item", data: .bytes(payload), timeout: .seconds(90))
    try require(outcome.response.result.status == .success, "echo of 20 MB failed: \(ConformanceSession.describe(outcome.response.result))")
    let back = HTTPCheck.bytes(outcome.response.returnValue)
    try require(back?.count == size, "20 MB went out, \(back?.count ?? 0) bytes came back")
    try require(back == payload, "the 20 MB came back altered")
    // And the stream still works.
    let small = try await session.invoke(functionID: echo, input: "item", data: .string("after"))
    try require(small.response.returnValue.string == "after", "the worker stopped answering after the 20 MB message")
    return "round trip \(outcome.duration.text)"
  }

  /// `invocation-cancel`: InvocationCancel ends a running invocation with status Cancelled (if advertised).
  public static let invocationCancel = ConformanceScenario(
    name: "invocation-cancel", summary: "InvocationCancel ends a running invocation as Cancelled (if advertised)"
  ) { context in
    let session = context.session
    try await session.handshake()
    guard !(session.capabilities["HandlesInvocationCancelMessage"] ?? "").isEmpty else {
      throw ScenarioSkip("the worker does not advertise HandlesInvocationCancelMessage")
    }
    let fn = try await session.loadSuccessfully(ConformanceFixtures.slow)
    let id = UUID().uuidString.lowercased()
    var request = AzureFunctionsRpcMessages_StreamingMessage()
    request.invocationRequest.invocationID = id
    request.invocationRequest.functionID = fn
    var binding = AzureFunctionsRpcMessages_ParameterBinding()
    binding.name = "item"
    binding.data = .string("60|never")
    request.invocationRequest.inputData = [binding]
    let mark = session.lastIndex
    try await session.send(request)
    guard
      await session.waitForMessage(after: mark, timeout: session.configuration.replyTimeout, where: {
        if case .rpcLog(let log) = $0.content { return log.invocationID == id && log.message.contains("slow started") }
        return false
      }) != nil
    else { throw ScenarioFailure("the slow function never logged 'slow started' for invocation \(id)" + session.endedSuffix) }
    var cancel = AzureFunctionsRpcMessages_StreamingMessage()
    cancel.invocationCancel.invocationID = id
    let sent = ContinuousClock.now
    try await session.send(cancel)
    guard
      let reply = await session.waitForMessage(after: mark, timeout: .seconds(10), where: {
        if case .invocationResponse(let r) = $0.content { return r.invocationID == id }
        return false
      })
    else { throw ScenarioFailure("no InvocationResponse within 10 s of InvocationCancel (the function sleeps 60 s)") }
    let status = reply.message.invocationResponse.result.status
    try require(status == .cancelled, "the cancelled invocation ended with status \(status), expected Cancelled")
    // The worker keeps serving.
    let after = try await session.invoke(functionID: fn, input: "item", data: .string("0|after-cancel"))
    try require(after.response.returnValue.string == "after-cancel", "the worker did not serve after a cancel")
    return "answered \((ContinuousClock.now - sent).text) after the cancel"
  }
}
