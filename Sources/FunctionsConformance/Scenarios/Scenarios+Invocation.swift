internal import Foundation
internal import FunctionsRPC
internal import SwiftProtobuf

extension ConformanceScenario {
  /// An `echo` round trip of one TypedData kind. Optional kinds are skipped when the worker rejects them.
  static func echoRoundTrip(
    kind: String, input: AzureFunctionsRpcMessages_TypedData, mandatory: Bool, capability: String? = nil,
    matches: @escaping @Sendable (AzureFunctionsRpcMessages_TypedData) -> Bool
  ) -> ConformanceScenario {
    ConformanceScenario(
      name: "invoke-\(kind)",
      summary: "echo round trip of TypedData.\(kind)" + (mandatory ? "" : " (skipped if the worker rejects it)")
    ) { context in
      let session = context.session
      try await session.handshake()
      if let capability, (session.capabilities[capability] ?? "").isEmpty {
        throw ScenarioSkip("the worker does not advertise \(capability); hosts do not send \(kind)")
      }
      let echo = try await session.loadSuccessfully(ConformanceFixtures.echo)
      let outcome = try await session.invoke(functionID: echo, input: "item", data: input)
      let response = outcome.response
      try require(response.invocationID == outcome.invocationID, "the response carried another invocation id")
      if response.result.status != .success {
        let why = ConformanceSession.describe(response.result)
        if mandatory { throw ScenarioFailure("echo of \(kind) failed: \(why)") }
        throw ScenarioSkip("the worker rejects \(kind) input: \(why)")
      }
      let value = response.returnValue
      try require(value.data != nil, "echo of \(kind) succeeded but has no return_value")
      try require(matches(value), "echo of \(kind) returned \(Self.show(value)), expected the input \(Self.show(input))")
      return "returned as \(Self.kindName(value))"
    }
  }

  static func kindName(_ data: AzureFunctionsRpcMessages_TypedData) -> String {
    guard let d = data.data else { return "nothing" }
    return String("\(d)".prefix(while: { $0 != "(" }))
  }

  static func show(_ data: AzureFunctionsRpcMessages_TypedData) -> String {
    switch data.data {
    case .bytes(let b): return "bytes(\(b.count) bytes)"
    default: return String("\(data.data.map { "\($0)" } ?? "nothing")".prefix(120))
    }
  }

  /// JSON text equal to `expected` (a JSON-serializable value) after parsing.
  static func jsonEquals(_ text: String, _ expected: Any) -> Bool {
    guard let parsed = try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]) else {
      return false
    }
    let options: JSONSerialization.WritingOptions = [.sortedKeys, .fragmentsAllowed]
    guard let a = try? JSONSerialization.data(withJSONObject: parsed, options: options),
      let b = try? JSONSerialization.data(withJSONObject: expected, options: options)
    else { return false }
    return a == b
  }

  /// Every TypedData kind: string, bytes, json (mandatory); int, double and collections (optional).
  public static let invocationKinds: [ConformanceScenario] = {
    let text = "conformance ✓ ünïcode"
    let bytes = Data((0..<256).map { UInt8($0) })
    let json = #"{"name":"Ada","tags":["x","y"],"n":1.5,"ok":true}"#
    var strings = AzureFunctionsRpcMessages_TypedData()
    strings.collectionString.string = ["alpha", "beta", ""]
    var blobs = AzureFunctionsRpcMessages_TypedData()
    blobs.collectionBytes.bytes = [Data([1, 2, 3]), Data([255])]
    var ints = AzureFunctionsRpcMessages_TypedData()
    ints.collectionSint64.sint64 = [-3, 0, 9_007_199_254_740_993]
    var doubles = AzureFunctionsRpcMessages_TypedData()
    doubles.collectionDouble.double = [0.5, -2.25]
    return [
      echoRoundTrip(kind: "string", input: .string(text), mandatory: true) { $0.string == text },
      echoRoundTrip(kind: "bytes", input: .bytes(bytes), mandatory: true) { HTTPCheck.bytes($0) == bytes && $0.string.isEmpty },
      echoRoundTrip(kind: "json", input: .json(json), mandatory: true) { value in
        switch value.data {
        case .json(let s), .string(let s):
          return jsonEquals(s, (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as Any)
        default: return false
        }
      },
      echoRoundTrip(kind: "int", input: .int(-42), mandatory: false) { value in
        switch value.data {
        case .int(let i): return i == -42
        case .json(let s), .string(let s): return s.trimmingCharacters(in: .whitespaces) == "-42"
        default: return false
        }
      },
      echoRoundTrip(kind: "double", input: .double(3.25), mandatory: false) { value in
        switch value.data {
        case .double(let d): return d == 3.25
        case .json(let s), .string(let s): return Double(s.trimmingCharacters(in: .whitespaces)) == 3.25
        default: return false
        }
      },
      echoRoundTrip(kind: "collection-string", input: strings, mandatory: false, capability: "TypedDataCollection") { value in
        switch value.data {
        case .collectionString(let c): return c.string == ["alpha", "beta", ""]
        case .json(let s): return jsonEquals(s, ["alpha", "beta", ""])
        default: return false
        }
      },
      echoRoundTrip(kind: "collection-bytes", input: blobs, mandatory: false, capability: "TypedDataCollection") { value in
        switch value.data {
        case .collectionBytes(let c): return c.bytes == [Data([1, 2, 3]), Data([255])]
        case .json(let s):
          // The fixture turns a list of bytes into integer lists (JSON cannot carry bytes).
          return jsonEquals(s, [[1, 2, 3], [255]])
        default: return false
        }
      },
      echoRoundTrip(kind: "collection-sint64", input: ints, mandatory: false, capability: "TypedDataCollection") { value in
        switch value.data {
        case .collectionSint64(let c): return c.sint64 == [-3, 0, 9_007_199_254_740_993]
        case .json(let s): return s.replacingOccurrences(of: " ", with: "") == "[-3,0,9007199254740993]"
        default: return false
        }
      },
      echoRoundTrip(kind: "collection-double", input: doubles, mandatory: false, capability: "TypedDataCollection") { value in
        switch value.data {
        case .collectionDouble(let c): return c.double == [0.5, -2.25]
        case .json(let s): return jsonEquals(s, [0.5, -2.25])
        default: return false
        }
      },
    ]
  }()

  /// `invoke-http`: an RpcHttp request in, an RpcHttp response (status, headers, bytes body) out.
  public static let invokeHTTP = ConformanceScenario(
    name: "invoke-http", summary: "http round trip: RpcHttp in, status/headers/body out via $return"
  ) { context in
    let session = context.session
    try await session.handshake()
    let fn = try await session.loadSuccessfully(ConformanceFixtures.http)
    let body = Data((0..<256).map { UInt8(255 - $0) })
    var http = AzureFunctionsRpcMessages_RpcHttp()
    http.method = "POST"
    http.url = "http://127.0.0.1:7071/api/httpecho?name=Ada"
    http.headers = ["content-type": "application/octet-stream", "host": "127.0.0.1:7071", "x-request": "1"]
    http.query = ["name": "Ada"]
    http.body = .bytes(body)
    var data = AzureFunctionsRpcMessages_TypedData()
    data.http = http
    let outcome = try await session.invoke(functionID: fn, input: "req", data: data)
    try require(outcome.response.result.status == .success, "http failed: \(ConformanceSession.describe(outcome.response.result))")
    guard let answer = HTTPCheck.http(outcome.response) else {
      throw ScenarioFailure("the response has no RpcHttp in return_value (got \(show(outcome.response.returnValue)))")
    }
    try require(answer.statusCode == "201", "status_code is '\(answer.statusCode)', expected '201' (a string)")
    let header = answer.headers.first { $0.key.lowercased() == "x-conformance" }?.value
    try require(header == "Ada", "header x-conformance is \(header.map { "'\($0)'" } ?? "missing"), expected 'Ada' (from the query)")
    try require(HTTPCheck.bytes(answer.body) == body, "the response body (\(show(answer.body))) is not the 256 request bytes")
    return nil
  }

  /// `output-bindings`: an output binding and the return value travel together.
  public static let outputBindings = ConformanceScenario(
    name: "output-bindings", summary: "output binding ('out') and $return value in one response"
  ) { context in
    let session = context.session
    try await session.handshake()
    let fn = try await session.loadSuccessfully(ConformanceFixtures.outputs)
    let outcome = try await session.invoke(functionID: fn, input: "item", data: .string("abc"))
    let response = outcome.response
    try require(response.result.status == .success, "outputs failed: \(ConformanceSession.describe(response.result))")
    let out = response.outputData.first { $0.name == "out" }
    try require(out != nil, "no output binding named 'out' (got \(response.outputData.map(\.name)))")
    try require(out?.data.string == "out:abc", "output 'out' is \(show(out!.data)), expected string 'out:abc'")
    try require(response.returnValue.string == "ret:abc", "return_value is \(show(response.returnValue)), expected string 'ret:abc'")
    return nil
  }
}
