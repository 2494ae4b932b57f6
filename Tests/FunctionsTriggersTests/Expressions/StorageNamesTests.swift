import FunctionsTriggers
import Testing

@Suite("StorageNames")
struct StorageNamesTests {
  static let site = BindingSite(functionName: "f", bindingName: "msg", property: "queueName")

  @Test(
    "queue names are resolved and lower-cased",
    arguments: [("orders", "orders"), ("Orders-2", "orders-2"), ("%Q%", "from-setting"), ("abc", "abc"), ("a1-b2-c3", "a1-b2-c3")])
  func valid(text: String, expected: String) throws {
    #expect(try StorageNames.queueName(text, appSettings: ["Q": "From-Setting"], site: Self.site) == expected)
  }

  @Test("invalid queue names", arguments: ["ab", String(repeating: "a", count: 64), "-abc", "abc-", "a--b", "a_b", "a.b", "a b", "é-abc", "{x}"])
  func invalid(text: String) {
    #expect {
      try StorageNames.queueName(text, appSettings: [:], site: Self.site)
    } throws: { error in
      let e = error as? BindingExpressionError
      return e?.code == .invalidName && e!.message.contains("function 'f', binding 'msg'") && e!.message.contains(text.lowercased())
    }
  }

  @Test("a missing queueName property")
  func missing() {
    #expect(throws: BindingExpressionError.self) { try StorageNames.queueName(nil, settings: [:], function: "f", binding: "b") }
  }

  @Test("container names are not lower-cased; special containers allowed")
  func containers() throws {
    try StorageNames.validateContainerName("samples-1", site: Self.site)
    try StorageNames.validateContainerName("$root", site: Self.site)
    #expect(throws: BindingExpressionError.self) { try StorageNames.validateContainerName("Samples", site: Self.site) }
  }
}
