import Foundation
import FunctionsRPC
import Testing

@testable import FunctionsHostCore

/// Turning a worker's FunctionMetadataResponse into functions and errors (protocol.md §2.10).
@Suite struct FunctionCatalogTests {
  static func metadata(_ name: String, _ rawBindings: [String]) -> AzureFunctionsRpcMessages_RpcFunctionMetadata {
    var m = AzureFunctionsRpcMessages_RpcFunctionMetadata()
    m.name = name
    m.functionID = "id-\(name)"
    m.scriptFile = "/app/function_app.py"
    m.rawBindings = rawBindings
    m.properties = ["worker_indexed": "True"]
    return m
  }

  static func response(
    _ functions: [AzureFunctionsRpcMessages_RpcFunctionMetadata], result: String = ""
  ) -> AzureFunctionsRpcMessages_FunctionMetadataResponse {
    var response = AzureFunctionsRpcMessages_FunctionMetadataResponse()
    response.result.status = .success
    response.result.result = result
    response.functionMetadataResults = functions
    return response
  }

  static let http = [
    #"{"direction": "IN", "type": "httpTrigger", "name": "req", "route": "x"}"#,
    #"{"direction": "OUT", "type": "http", "name": "$return"}"#,
  ]

  @Test func validFunctionsKeepTheWorkersIDAndProperties() throws {
    let (functions, errors) = try FunctionCatalog.functions(
      from: Self.response([Self.metadata("hello", Self.http)]), scriptRoot: "/app", settings: [:],
      fallback: { .init() })
    #expect(errors.isEmpty)
    #expect(functions.map(\.functionID) == ["id-hello"])
    #expect(functions.first?.properties == ["worker_indexed": "True"])
    #expect(functions.first?.trigger?.route == "x")
  }

  @Test func noFunctionsIsAnErrorGivingTheWorkersReason() throws {
    let (functions, errors) = try FunctionCatalog.functions(
      from: Self.response([], result: "function_app.py defines FunctionApp app but no functions"),
      scriptRoot: "/app", settings: [:], fallback: { .init() })
    #expect(functions.isEmpty)
    #expect(errors.map(\.message) == ["no functions found in /app: function_app.py defines FunctionApp app but no functions"])
  }

  @Test func defaultIndexingWithNoFunctionJSONSaysSo() throws {
    var response = Self.response([])
    response.useDefaultMetadataIndexing = true
    let (functions, errors) = try FunctionCatalog.functions(
      from: response, scriptRoot: "/app", settings: [:], fallback: { .init() })
    #expect(functions.isEmpty)
    #expect(errors.first?.message.contains("no folder has a function.json") == true, "\(errors)")
  }

  @Test func invalidNamesAndDuplicateBindingsCostOneFunctionEach() throws {
    let duplicate = Self.http + [#"{"direction": "OUT", "type": "queue", "name": "req"}"#]
    let (functions, errors) = try FunctionCatalog.functions(
      from: Self.response([Self.metadata("2fast", Self.http), Self.metadata("clash", duplicate), Self.metadata("ok", Self.http)]),
      scriptRoot: "/app", settings: [:], fallback: { .init() })
    #expect(functions.map(\.name) == ["ok"])
    #expect(errors.count == 2)
    #expect(errors.contains { $0.message.contains("'2fast'") })
    #expect(errors.contains { $0.message.contains("'clash'") })
  }

  @Test func aFailedIndexingIsRecordedWithTheWorkersExceptionNotThrown() throws {
    var response = AzureFunctionsRpcMessages_FunctionMetadataResponse()
    response.result.status = .failure
    response.result.exception.message = "ModuleNotFoundError: No module named 'x' (/app/function_app.py, line 3)"
    // Recorded rather than thrown: a restarted worker would fail the same way forever.
    let (functions, errors) = try FunctionCatalog.functions(
      from: response, scriptRoot: "/app", settings: [:], fallback: { .init() })
    #expect(functions.isEmpty)
    #expect(errors.count == 1)
    #expect(errors.first?.message.contains("function_app.py, line 3") == true)
  }

}
