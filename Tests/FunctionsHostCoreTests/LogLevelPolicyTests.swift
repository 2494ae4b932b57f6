import Testing

@testable import FunctionsHostCore

@Suite struct LogLevelPolicyTests {
  @Test func mostSpecificCategoryWinsAndDebugIsHiddenByDefault() {
    let none = LogLevelPolicy()
    #expect(!none.allows(level: 1, function: "hello"), "debug hidden by default")
    #expect(none.allows(level: 2, function: "hello"))

    let p = LogLevelPolicy(hostJSONLevels: ["default": "Warning", "Function.hello": "Debug", "Function.quiet": "None"])
    #expect(p.allows(level: 1, function: "hello"))
    #expect(p.allows(level: 1, function: "HELLO"), "categories are case-insensitive")
    #expect(!p.allows(level: 2, function: "other"), "default Warning hides information")
    #expect(p.allows(level: 3, function: "other"))
    #expect(!p.allows(level: 5, function: "quiet"), "None hides everything")
    #expect(p.lowestLevel == 1)
  }
}
