internal import Foundation
internal import FunctionsRPC
internal import SwiftProtobuf

typealias HTTPOutcome = Result<ProxiedResponse, any Error>

/// One proxied HTTP request of a round, run as a child task; records "sent" and "ended" in `events`.
struct ProxiedRequest: Sendable {
  let client: ProxyClient
  let target: String
  let invocationID: String
  let payload: String
  let timeout: Duration
  let events: EventLog<String>

  func run() async -> HTTPOutcome? {
    defer { events.append("ended") }
    do {
      let response = try await client.send(
        "POST", target, invocationID: invocationID, body: Data(payload.utf8), timeout: timeout
      ) { events.append("sent") }
      return .success(response)
    } catch { return .failure(error) }
  }
}

extension ConformanceScenario {
  /// One proxied invocation of the streaming fixture; returns a note with its timings.
  static func proxiedRound(
    _ session: ConformanceSession, client: ProxyClient, functionID: String, httpFirst: Bool
  ) async throws -> String {
    let id = UUID().uuidString.lowercased()
    let order = httpFirst ? "HTTP request first" : "InvocationRequest first"
    let payload = "payload-\(httpFirst ? "h" : "i")"
    let target = "/api/stream/Ada?q=7"
    let wait = session.configuration.invocationTimeout
    let events = EventLog<String>()  // "sent" once the head is on the connection, "ended" when the exchange is over
    let mark = session.lastIndex
    let start = ContinuousClock.now
    let request = ProxiedRequest(client: client, target: target, invocationID: id, payload: payload, timeout: wait, events: events)
    typealias Reply = (index: Int, message: AzureFunctionsRpcMessages_StreamingMessage)
    let (http, reply): (HTTPOutcome?, Reply?) = try await withThrowingTaskGroup(
      of: HTTPOutcome?.self, returning: (HTTPOutcome?, Reply?).self
    ) { group in
      if httpFirst {
        group.addTask { await request.run() }
        // Whichever comes first: the head is on the connection, or the request failed (the client retries
        // failed connections until its deadline, `wait`, and then reports the last connection error).
        let first: String? = await events.first(timeout: wait + .seconds(5))?.element
        if first == nil {
          throw ScenarioFailure("\(order): the HTTP request to HttpUri \(client.base) was not written within \((wait + .seconds(5)).text)")
        }
        if first != "sent" {
          var failed: HTTPOutcome? = nil
          for try await result in group where result != nil { failed = result }
          return (failed, nil)
        }
      }
      try await session.send(proxiedInvocation(id: id, functionID: functionID))
      if !httpFirst { group.addTask { await request.run() } }
      let reply: Reply? = await session.waitForMessage(after: mark, timeout: wait) { message in
        if case .invocationResponse(let r) = message.content { return r.invocationID == id }
        return false
      }
      var http: HTTPOutcome? = nil
      for try await result in group where result != nil { http = result }
      return (http, reply)
    }
    guard let reply else {
      if case .failure(let error)? = http { throw prefixed(order, error) }
      throw ScenarioFailure("\(order): no InvocationResponse for invocation \(id)" + (await session.waited(wait)) + session.tailSuffix)
    }
    let result = reply.message.invocationResponse.result
    try require(
      result.status == .success,
      "\(order): the invocation failed: \(ConformanceSession.describe(result)); the HTTP request \(summary(http))")
    let response: ProxiedResponse
    switch http {
    case .success(let r)?: response = r
    case .failure(let error)?: throw prefixed(order, error)
    case nil: throw ScenarioFailure("\(order): no HTTP response")
    }
    try check(response, order: order, payload: payload)
    return "\(order): head after \((response.headAt - start).text), \(response.parts.count) chunks"
  }

  /// The InvocationRequest of a proxied invocation: the trigger's TypedData is `http` with only `params`.
  static func proxiedInvocation(id: String, functionID: String) -> AzureFunctionsRpcMessages_StreamingMessage {
    var http = AzureFunctionsRpcMessages_RpcHttp()
    http.params = ["name": "Ada"]
    var binding = AzureFunctionsRpcMessages_ParameterBinding()
    binding.name = "req"
    binding.data.http = http
    var message = AzureFunctionsRpcMessages_StreamingMessage()
    message.invocationRequest.invocationID = id
    message.invocationRequest.functionID = functionID
    message.invocationRequest.inputData = [binding]
    message.invocationRequest.traceContext.traceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    return message
  }

  static func check(_ response: ProxiedResponse, order: String, payload: String) throws {
    let body = String(decoding: response.body, as: UTF8.self)
    try require(
      response.status == 203,
      "\(order): the HTTP response has status \(response.status), expected 203 (set by the function's first yielded "
        + "HttpResponse); body: \(body.prefix(200))")
    let tag = response.header("x-conformance")
    try require(
      tag == "Ada/7/\(payload)",
      "\(order): header x-conformance is \(tag.map { "'\($0)'" } ?? "missing"), expected 'Ada/7/\(payload)' "
        + "(route value from the InvocationRequest's params / query / body from the HTTP request)")
    let type = response.header("content-type") ?? ""
    try require(type.lowercased().hasPrefix("text/plain"), "\(order): content-type is '\(type)', expected text/plain")
    try require(body == ConformanceFixtures.streamingBody, "\(order): the body is '\(body.prefix(200))', expected three chunk lines")
    let encoding = response.header("transfer-encoding") ?? ""
    try require(
      encoding.lowercased().contains("chunked") && response.header("content-length") == nil,
      "\(order): the response is not chunked (transfer-encoding '\(encoding)', content-length \(response.header("content-length") ?? "absent"))")
    try require(
      response.parts.count >= 2,
      "\(order): the body arrived in \(response.parts.count) read, expected the three chunks (200 ms apart) in at least two")
  }

  /// An HTTP request whose `x-ms-invocation-id` names no invocation gets a 4xx in bounded time.
  static func unknownInvocation(_ session: ConformanceSession, client: ProxyClient) async throws -> String {
    let id = "conformance-never-sent-\(UUID().uuidString.lowercased())"
    let wait = session.configuration.invocationTimeout
    let start = ContinuousClock.now
    let response: ProxiedResponse
    do {
      response = try await client.send("POST", "/api/stream/Ada", invocationID: id, body: Data("x".utf8), timeout: wait)
    } catch {
      throw prefixed(
        "an HTTP request whose x-ms-invocation-id names no invocation (expected a 4xx within \(wait.text); "
          + "\(pairingTimeoutVariable)=1 is set)", error)
    }
    try require(
      (400..<500).contains(response.status),
      "an HTTP request whose x-ms-invocation-id names no invocation was answered \(response.status), expected a 4xx")
    return "unknown id: \(response.status) after \((ContinuousClock.now - start).text)"
  }

  /// `got 500 'body…'` or `failed: …`, for failure messages.
  static func summary(_ http: HTTPOutcome?) -> String {
    switch http {
    case .success(let r)?: "got \(r.status) '\(String(decoding: r.body, as: UTF8.self).prefix(160))'"
    case .failure(let error)?: "failed: \((error as? ScenarioFailure)?.message ?? "\(error)")"
    case nil: "got no response"
    }
  }

  static func prefixed(_ what: String, _ error: any Error) -> ScenarioFailure {
    ScenarioFailure("\(what): \((error as? ScenarioFailure)?.message ?? "\(error)")")
  }
}
