internal import Foundation
internal import FunctionsRPC
internal import SwiftProtobuf

extension ScriptedConversation {
  /// Emulates the fixture functions by name, with the mode's faults.
  func invoke(_ request: InvocationRequest) async throws {
    let id = request.invocationID
    let name = state { $0.functions[request.functionID] }
    let input = request.inputData.first?.data ?? TypedData()
    var response = InvocationResponse()
    response.invocationID = mode == .wrongInvocationID ? id + "-wrong" : id
    response.result.status = .success
    var logs: [String] = []
    var warnings: [String] = []

    if mode == .oversizedMessage && state({ s in defer { s.sentOversized = true }; return !s.sentOversized }) {
      log(id, String(repeating: "x", count: 16 << 20), level: .information)
    }
    if mode == .logFlood {
      for i in 0..<20_000 { log(id, "flood \(i)", level: .information) }
    }

    switch name {
    case nil:
      response.result.status = .failure
      response.result.exception.message = "scripted: function \(request.functionID) is not loaded"
    case "echo":
      var value = input
      if mode == .rejectsLargeMessages, (HTTPCheck.bytes(input)?.count ?? 0) > 4 << 20 {
        response.result.status = .failure
        response.result.exception.message = "scripted: message larger than 4 MB"
      }
      if mode == .corruptsBytes, case .bytes(var bytes) = value.data, !bytes.isEmpty {
        bytes[bytes.startIndex] ^= 0xFF
        value.bytes = bytes
      }
      if response.result.status == .success { response.returnValue = value }
    case "outputs":
      var out = ParameterBinding()
      out.name = "out"
      out.data = .string("out:" + input.string)
      response.outputData = [out]
      response.returnValue = .string("ret:" + input.string)
    case "httpecho":
      var http = RpcHttp()
      http.statusCode = "201"
      http.headers = ["x-conformance": input.http.query["name"] ?? "", "content-type": "application/octet-stream"]
      http.body = .bytes(HTTPCheck.bytes(input.http.body) ?? Data())
      response.returnValue.http = http
    case "logs":
      logs = ["conformance log one: \(input.string)"]
      warnings = ["conformance log two"]
    case "slow":
      let parts = input.string.split(separator: "|", maxSplits: 1, omittingEmptySubsequences: false)
      let delay = Double(parts.first ?? "0") ?? 0
      let tag = parts.count > 1 ? String(parts[1]) : "done"
      log(id, "slow started", level: .information)
      state { $0.inflight += 1 }
      let cancelled = await cancels.first(timeout: .milliseconds(Int(delay * 1000)), where: { $0 == id }) != nil
      try Task.checkCancellation()
      let other: String = state { s in
        s.inflight -= 1
        defer { s.lastTag = tag }
        return s.inflight > 0 ? s.lastTag : tag
      }
      if cancelled {
        response.result.status = .cancelled
      } else {
        response.returnValue = .string(mode == .swapsConcurrentResponses && !other.isEmpty ? other : tag)
      }
    case "env":
      response.returnValue = .string(state { $0.environment[input.string] } ?? "<unset>")
    default:
      if case .http = input.data {
        var http = RpcHttp()
        http.statusCode = "200"
        http.headers = ["content-type": "text/plain; charset=utf-8"]
        http.body = .string("Hello from the scripted worker (\(name ?? "?"))")
        response.returnValue.http = http
      } else {
        response.returnValue = input
      }
    }
    if mode == .dropsReturnValue { response.clearReturnValue() }
    if mode == .dropsOutputBindings { response.outputData = [] }

    if mode != .logsAfterResponse {
      for line in logs { log(id, line, level: .information) }
      for line in warnings { log(id, line, level: .warning) }
    }
    if mode == .unknownInvocationResponse {
      var stray = response
      stray.invocationID = UUID().uuidString.lowercased()
      send(.with { $0.invocationResponse = stray })
    }
    send(.with { $0.requestID = launch.requestID; $0.invocationResponse = response })
    if mode == .duplicateInvocationResponse { send(.with { $0.invocationResponse = response }) }
    if mode == .logsAfterResponse {
      for line in logs { log(id, line, level: .information) }
      for line in warnings { log(id, line, level: .warning) }
    }
  }

  func log(_ invocationID: String, _ message: String, level: RpcLog.Level) {
    send(.with { m in
      m.requestID = launch.requestID
      m.rpcLog.invocationID = mode == .logsWithoutInvocationID ? "" : invocationID
      m.rpcLog.category = "scripted"
      m.rpcLog.level = level
      m.rpcLog.message = message
      m.rpcLog.logCategory = .user
    })
  }
}
