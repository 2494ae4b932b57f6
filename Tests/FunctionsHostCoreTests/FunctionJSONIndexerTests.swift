import Foundation
import Testing

@testable import FunctionsHostCore

@Suite struct FunctionJSONIndexerTests {
  static func parse(_ json: String, name: String = "hello") throws -> FunctionMetadata {
    try FunctionJSONIndexer.parse(
      Data(json.utf8), name: name, directory: "/app/\(name)", file: "/app/\(name)/function.json")
  }

  @Test func parsesAnHTTPFunction() throws {
    let f = try Self.parse(
      """
      {"scriptFile": "main.py", "entryPoint": "run", "bindings": [
        {"type": "httpTrigger", "direction": "in", "name": "req", "authLevel": "anonymous",
         "methods": ["get", "post"], "route": "items/{id:int}"},
        {"type": "http", "direction": "out", "name": "$return"}]}
      """)
    #expect(f.name == "hello")
    #expect(f.scriptFile == "/app/hello/main.py")
    #expect(f.entryPoint == "run")
    #expect(f.trigger?.name == "req")
    #expect(f.trigger?.methods == ["GET", "POST"])
    #expect(f.trigger?.route == "items/{id:int}")
    #expect(f.trigger?.authLevel == "anonymous")
    #expect(f.httpOutput?.name == "$return")
    #expect(!f.isDisabled)
  }

  @Test func defaultsToInitPy() throws {
    let f = try Self.parse(#"{"bindings": [{"type": "queueTrigger", "direction": "in", "name": "msg"}]}"#)
    #expect(f.scriptFile == "/app/hello/__init__.py")
    #expect(f.entryPoint == nil)
  }

  @Test(arguments: [
    (#"{"bindings": "x"}"#, "field 'bindings' is \"x\""),
    (#"{}"#, "field 'bindings' is missing"),
    (#"{"bindings": [{"direction": "in", "name": "req"}]}"#, "field 'bindings[0].type'"),
    (#"{"bindings": [{"type": "httpTrigger", "direction": "sideways", "name": "req"}]}"#,
     "field 'bindings[0].direction' is \"sideways\""),
    (#"{"bindings": [{"type": "http", "direction": "out", "name": "$return"}]}"#, "no trigger binding"),
    (#"{"bindings": [{"type": "httpTrigger", "direction": "in", "name": "req"}, {"type": "queueTrigger", "direction": "in", "name": "q"}]}"#,
     "2 trigger bindings"),
    (#"{"bindings": [{"type": "httpTrigger", "direction": "in", "name": "req"}, {"type": "http", "direction": "out", "name": "req"}]}"#,
     "binding name 'req' is used twice"),
    (#"{"bindings": [{"type": "httpTrigger", "direction": "in", "name": "req", "methods": "get"}]}"#,
     "field 'bindings[0].methods' is \"get\""),
    (#"{"bindings": [{"type": "httpTrigger", "direction": "in", "name": "req", "authLevel": "secret"}]}"#,
     "field 'bindings[0].authLevel' is \"secret\""),
    (#"{"disabled": "maybe", "bindings": []}"#, "field 'disabled' is \"maybe\""),
    (#"{"bindings": [}"#, "not valid JSON"),
  ])
  func brokenFilesNameFileFieldAndValue(json: String, expected: String) throws {
    let error = #expect(throws: FunctionsHostError.self) { try Self.parse(json) }
    #expect(error?.code == .configuration)
    #expect(error?.message.contains("/app/hello/function.json") == true, "\(error?.message ?? "")")
    #expect(error?.message.contains(expected) == true, "\(error?.message ?? "") should contain \(expected)")
  }

  @Test(arguments: [("hello", true), ("Hello-World_2", true), ("2fast", false), ("host", false), ("a b", false)])
  func functionNames(name: String, valid: Bool) {
    #expect(FunctionJSONIndexer.isValidName(name) == valid)
  }

  @Test func disabledBySetting() throws {
    let f = try FunctionJSONIndexer.parse(
      Data(#"{"bindings": [{"type": "timerTrigger", "direction": "in", "name": "t"}]}"#.utf8), name: "tick",
      directory: "/app/tick", file: "/app/tick/function.json", settings: ["AzureWebJobs.tick.Disabled": "true"])
    #expect(f.isDisabled)
  }

  @Test func scanKeepsGoodFunctionsWhenOneIsBroken() throws {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("scan-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: root) }
    for (name, json) in [
      ("good", #"{"bindings": [{"type": "httpTrigger", "direction": "in", "name": "req"}]}"#),
      ("bad", #"{"bindings": 3}"#),
    ] {
      let dir = root.appendingPathComponent(name)
      try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
      try Data(json.utf8).write(to: dir.appendingPathComponent("function.json"))
    }
    try FileManager.default.createDirectory(at: root.appendingPathComponent("shared_code"), withIntermediateDirectories: true)
    let result = FunctionJSONIndexer.scan(scriptRoot: root.path)
    #expect(result.functions.map(\.name) == ["good"])
    #expect(result.errors.count == 1)
    #expect(result.errors.first?.message.contains("bad/function.json") == true)
  }
}
