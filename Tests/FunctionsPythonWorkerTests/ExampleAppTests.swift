import Foundation
import Testing

/// `Examples/hello`: a classic function.json app from the Python developer guide.
@Suite("Examples/hello")
struct ExampleAppTests {
  private func json(_ relativePath: String) throws -> [String: Any] {
    let data = try Data(contentsOf: URL(fileURLWithPath: ExampleApp.hello + "/" + relativePath))
    return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
  }

  @Test("host.json is version 2.0 and requirements.txt asks for azure-functions")
  func hostFiles() throws {
    #expect(try json("host.json")["version"] as? String == "2.0")
    let requirements = try String(
      contentsOfFile: ExampleApp.hello + "/requirements.txt",
      encoding: .utf8
    )
    #expect(requirements.split(separator: "\n").contains("azure-functions"))
  }

  @Test(
    "each function is an anonymous GET/POST HTTP trigger named req returning $return",
    arguments: ["hello", "greet_json"]
  )
  func functionJSON(function: String) throws {
    let bindings = try #require(
      try json(function + "/function.json")["bindings"] as? [[String: Any]]
    )
    let trigger = try #require(bindings.first { $0["type"] as? String == "httpTrigger" })
    #expect(trigger["name"] as? String == "req")
    #expect(trigger["direction"] as? String == "in")
    #expect(trigger["authLevel"] as? String == "anonymous")
    #expect(trigger["methods"] as? [String] == ["get", "post"])
    let output = try #require(bindings.first { $0["type"] as? String == "http" })
    #expect(output["name"] as? String == "$return")
    #expect(output["direction"] as? String == "out")
  }

  @Test(
    "the function code compiles",
    .enabled(if: TestPython.isAvailable, "python3 is not on PATH")
  )
  func compiles() async throws {
    for file in ["hello/__init__.py", "greet_json/__init__.py"] {
      // compile() without writing __pycache__ into the repository.
      let (ok, output) = try await TestPython.run(
        TestPython.python3!,
        [
          "-c", "import sys; compile(open(sys.argv[1]).read(), sys.argv[1], 'exec')",
          ExampleApp.hello + "/" + file,
        ]
      )
      #expect(ok, "\(file): \(output)")
    }
  }
}
