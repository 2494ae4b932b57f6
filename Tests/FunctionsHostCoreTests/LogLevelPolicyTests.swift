import Testing

@testable import FunctionsHostCore

@Suite struct LogLevelPolicyTests {
  @Test func mostSpecificCategoryWinsAndDebugIsHiddenByDefault() {
    let none = LogLevelPolicy()
    #expect(!none.allows(level: .debug, function: "hello"), "debug hidden by default")
    #expect(none.allows(level: .information, function: "hello"))

    let p = LogLevelPolicy(hostJSONLevels: ["default": "Warning", "Function.hello": "Debug", "Function.quiet": "None"])
    #expect(p.allows(level: .debug, function: "hello"))
    #expect(p.allows(level: .debug, function: "HELLO"), "categories are case-insensitive")
    #expect(!p.allows(level: .information, function: "other"), "default Warning hides information")
    #expect(p.allows(level: .warning, function: "other"))
    #expect(!p.allows(level: .critical, function: "quiet"), "None hides everything")
    #expect(p.lowestLevel == .debug)
  }

  @Test(arguments: [
    (RpcLogLevel.trace, "trace"), (.debug, "debug"), (.information, "info"), (.warning, "warning"),
    (.error, "error"), (.critical, "critical"),
  ])
  func oneMappingToSwiftLog(level: RpcLogLevel, expected: String) {
    #expect("\(level.swiftLogLevel)" == expected)
    #expect(RpcLogLevel(level.rpcLevel) == level)
  }
}
