internal import Foundation
internal import FunctionsRPC
internal import SwiftProtobuf

extension ConformanceSession {
  /// Sends FunctionsMetadataRequest and returns the response.
  func requestMetadata() async throws -> AzureFunctionsRpcMessages_FunctionMetadataResponse {
    var message = AzureFunctionsRpcMessages_StreamingMessage()
    message.requestID = UUID().uuidString.lowercased()
    message.functionsMetadataRequest.functionAppDirectory = appDirectory
    return try await exchange(message, timeout: configuration.replyTimeout * 3, what: "FunctionMetadataResponse") {
      if case .functionMetadataResponse = $0.content { return true }
      return false
    }.functionMetadataResponse
  }
}

extension ConformanceScenario {
  /// `functions-metadata`: the classic app's metadata response is valid or defers to function.json.
  public static let functionsMetadata = ConformanceScenario(
    name: "functions-metadata",
    summary: "FunctionsMetadataRequest: valid functions, or use_default_metadata_indexing"
  ) { context in
    let session = context.session
    try await session.handshake()
    let response = try await session.requestMetadata()
    if response.useDefaultMetadataIndexing { return "the worker defers to function.json indexing" }
    try require(response.result.status == .success, "indexing reported \(ConformanceSession.describe(response.result))")
    let problems = MetadataValidation.problems(response.functionMetadataResults)
    try require(problems.isEmpty, problems.prefix(3).joined(separator: "; "))
    return "\(response.functionMetadataResults.count) functions indexed"
  }

  /// `worker-indexing`: the decorator app is indexed, loaded and invoked (skipped for workers that defer).
  public static let workerIndexing = ConformanceScenario(
    name: "worker-indexing", summary: "function_app.py is indexed (valid metadata), loaded and invoked",
    app: .decorated
  ) { context in
    let session = context.session
    try await session.handshake()
    let response = try await session.requestMetadata()
    if response.useDefaultMetadataIndexing { throw ScenarioSkip("the worker does not index function_app.py apps") }
    try require(response.result.status == .success, "indexing reported \(ConformanceSession.describe(response.result))")
    let functions = response.functionMetadataResults
    let problems = MetadataValidation.problems(functions)
    try require(problems.isEmpty, problems.prefix(3).joined(separator: "; "))
    guard let hello = functions.first(where: { $0.name == "hello" }) else {
      throw ScenarioFailure("indexing found \(functions.map(\.name)), not the fixture's 'hello'")
    }
    let load = try await session.load(metadata: hello, functionID: hello.functionID)
    try require(load.result.status == .success, "loading the indexed 'hello' failed: \(ConformanceSession.describe(load.result))")
    var http = AzureFunctionsRpcMessages_RpcHttp()
    http.method = "GET"
    http.url = "http://127.0.0.1/api/hello?name=Ada"
    http.query = ["name": "Ada"]
    http.headers = ["host": "127.0.0.1"]
    var data = AzureFunctionsRpcMessages_TypedData()
    data.http = http
    let outcome = try await session.invoke(functionID: hello.functionID, input: "req", data: data)
    try require(outcome.response.result.status == .success, "hello failed: \(ConformanceSession.describe(outcome.response.result))")
    let body = HTTPCheck.body(outcome.response)
    try require(body.flatMap { String(data: $0, encoding: .utf8) } == "Hello, Ada!", "hello answered \(String(describing: body.map { String(decoding: $0, as: UTF8.self) }))")
    return nil
  }

  /// `function-load`: loading succeeds, and a broken function's failure is reported without the worker dying.
  public static let functionLoad = ConformanceScenario(
    name: "function-load", summary: "FunctionLoad succeeds; a broken function fails to load and the worker lives on"
  ) { context in
    let session = context.session
    try await session.handshake()
    let (echoID, echo) = try await session.load(ConformanceFixtures.echo)
    try require(echo.result.status == .success, "loading 'echo' failed: \(ConformanceSession.describe(echo.result))")
    try require(echo.functionID == echoID, "FunctionLoadResponse carried function_id '\(echo.functionID)', expected '\(echoID)'")
    let (_, broken) = try await session.load(ConformanceFixtures.broken)
    try require(broken.result.status != .success, "the 'broken' function (its import fails) was reported as loaded")
    try require(
      !broken.result.exception.message.isEmpty || !broken.result.result.isEmpty,
      "the 'broken' function's load failure carries no exception message")
    let outcome = try await session.invoke(functionID: echoID, input: "item", data: .string("after a failed load"))
    try require(
      outcome.response.result.status == .success,
      "echo failed after a broken load: \(ConformanceSession.describe(outcome.response.result))")
    if let exit = session.exit { throw ScenarioFailure("the worker \(exit.description)") }
    return "broken: \(broken.result.exception.message.prefix(80))"
  }

  /// `user-app`: every function of the app given with `--app` is indexed (or read from function.json) and loads.
  public static let userApp = ConformanceScenario(
    name: "user-app", summary: "every function of the --app folder loads", app: .user
  ) { context in
    let session = context.session
    try await session.handshake()
    let response = try await session.requestMetadata()
    var functions: [(id: String, metadata: AzureFunctionsRpcMessages_RpcFunctionMetadata)] = []
    if response.useDefaultMetadataIndexing {
      functions = try FunctionJSONScan.scan(session.appDirectory).map { (UUID().uuidString.lowercased(), $0) }
    } else {
      try require(response.result.status == .success, "indexing reported \(ConformanceSession.describe(response.result))")
      let problems = MetadataValidation.problems(response.functionMetadataResults)
      try require(problems.isEmpty, problems.prefix(3).joined(separator: "; "))
      functions = response.functionMetadataResults.map { ($0.functionID, $0) }
    }
    try require(!functions.isEmpty, "the app has no functions")
    var failures: [String] = []
    for f in functions {
      let r = try await session.load(metadata: f.metadata, functionID: f.id)
      if r.result.status != .success { failures.append("\(f.metadata.name): \(ConformanceSession.describe(r.result))") }
    }
    try require(failures.isEmpty, failures.joined(separator: "; "))
    return "\(functions.count) functions loaded"
  }
}
