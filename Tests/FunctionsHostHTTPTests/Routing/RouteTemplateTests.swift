import Testing

@testable import FunctionsHostHTTP

@Suite("Route templates")
struct RouteTemplateTests {
  struct Case: Sendable, CustomTestStringConvertible {
    var template: String
    var path: String
    var expected: [String: String]?
    var testDescription: String {
      "\(template) ← \(path) → \(expected.map { "\($0)" } ?? "no match")"
    }
  }

  static let cases: [Case] = [
    // literals, case-insensitive
    Case(template: "hello", path: "/hello", expected: [:]),
    Case(template: "hello", path: "/HeLLo", expected: [:]),
    Case(template: "hello", path: "/hello/", expected: [:]),
    Case(template: "hello", path: "/hello/x", expected: nil),
    Case(template: "hello", path: "/hell", expected: nil),
    Case(template: "Items/List", path: "/items/list", expected: [:]),
    // parameters
    Case(template: "items/{id}", path: "/items/42", expected: ["id": "42"]),
    Case(template: "items/{id}", path: "/items", expected: nil),
    Case(template: "items/{id}", path: "/items/a%20b", expected: ["id": "a b"]),
    Case(template: "items/{id}", path: "/items/a%2Fb", expected: ["id": "a%2Fb"]),
    Case(template: "{a}/{b}", path: "/x/y", expected: ["a": "x", "b": "y"]),
    // optional and default
    Case(template: "items/{id?}", path: "/items", expected: [:]),
    Case(template: "items/{id?}", path: "/items/7", expected: ["id": "7"]),
    Case(template: "items/{id=5}", path: "/items", expected: ["id": "5"]),
    Case(template: "items/{id:int?}", path: "/items/x", expected: nil),
    Case(template: "items/{id:int?}", path: "/items", expected: [:]),
    // constraints
    Case(template: "n/{id:int}", path: "/n/-12", expected: ["id": "-12"]),
    Case(template: "n/{id:int}", path: "/n/12a", expected: nil),
    Case(template: "n/{id:int}", path: "/n/99999999999", expected: nil),
    Case(template: "n/{id:long}", path: "/n/99999999999", expected: ["id": "99999999999"]),
    Case(template: "n/{x:double}", path: "/n/1.5", expected: ["x": "1.5"]),
    Case(template: "n/{x:double}", path: "/n/abc", expected: nil),
    Case(template: "n/{x:alpha}", path: "/n/abcXYZ", expected: ["x": "abcXYZ"]),
    Case(template: "n/{x:alpha}", path: "/n/abc1", expected: nil),
    Case(template: "n/{x:bool}", path: "/n/TRUE", expected: ["x": "TRUE"]),
    Case(template: "n/{x:bool}", path: "/n/yes", expected: nil),
    Case(
      template: "n/{x:guid}",
      path: "/n/0f8fad5b-d9cb-469f-a165-70867728950e",
      expected: ["x": "0f8fad5b-d9cb-469f-a165-70867728950e"]
    ),
    Case(template: "n/{x:guid}", path: "/n/0f8fad5b-d9cb-469f-a165-7086772895", expected: nil),
    Case(template: "n/{x:minlength(3)}", path: "/n/ab", expected: nil),
    Case(template: "n/{x:minlength(3)}", path: "/n/abc", expected: ["x": "abc"]),
    Case(template: "n/{x:maxlength(3)}", path: "/n/abcd", expected: nil),
    Case(template: "n/{x:length(2)}", path: "/n/ab", expected: ["x": "ab"]),
    Case(template: "n/{x:length(2,3)}", path: "/n/abcd", expected: nil),
    Case(template: "n/{x:min(10)}", path: "/n/9", expected: nil),
    Case(template: "n/{x:max(10)}", path: "/n/10", expected: ["x": "10"]),
    Case(template: "n/{x:range(1,5)}", path: "/n/5", expected: ["x": "5"]),
    Case(template: "n/{x:range(1,5)}", path: "/n/6", expected: nil),
    Case(template: "n/{x:int:min(1)}", path: "/n/0", expected: nil),
    Case(template: "n/{x:regex(^[a-z]{{2}}\\d+$)}", path: "/n/AB12", expected: ["x": "AB12"]),
    Case(template: "n/{x:regex(^[a-z]{{2}}\\d+$)}", path: "/n/A12", expected: nil),
    Case(template: "n/{d:datetime}", path: "/n/2024-12-31", expected: ["d": "2024-12-31"]),
    Case(
      template: "n/{d:datetime}",
      path: "/n/2024-12-31T10:00:00Z",
      expected: ["d": "2024-12-31T10:00:00Z"]
    ),
    // catch-all
    Case(template: "files/{*rest}", path: "/files/a/b/c.txt", expected: ["rest": "a/b/c.txt"]),
    Case(template: "files/{**rest}", path: "/files", expected: [:]),
    Case(template: "files/{*rest}", path: "/files/x", expected: ["rest": "x"]),
    // complex segments
    Case(
      template: "f/{name}.{ext}",
      path: "/f/report.final.pdf",
      expected: ["name": "report.final", "ext": "pdf"]
    ),
    Case(template: "f/{name}.{ext}", path: "/f/noext", expected: nil),
    Case(template: "f/v{version:int}", path: "/f/V2", expected: ["version": "2"]),
    Case(template: "f/v{version:int}", path: "/f/vx", expected: nil),
    // root
    Case(template: "/", path: "/", expected: [:]),
    Case(template: "/", path: "/x", expected: nil),
  ]

  @Test(arguments: cases)
  func matches(_ c: Case) throws {
    let template = try RouteTemplate(parsing: c.template)
    #expect(template.match(RequestPath.segments(of: c.path)[...]) == c.expected)
  }

  @Test(arguments: [
    "items/{id", "items/id}", "items/{}", "items/{id:unknown}", "{*rest}/x", "a/{x?}/b",
    "a/{x}{y}", "a/{x:regex([)}", "a/{x}/{X}", "a//b", "a/{x:int(3)}", "a/{x:min(a)}", "a?b",
  ])
  func rejectsInvalidTemplates(_ text: String) {
    #expect(throws: RouteTemplateError.self) { try RouteTemplate(parsing: text) }
  }

  @Test func unknownConstraintErrorListsSupportedOnes() {
    #expect {
      try RouteTemplate(parsing: "a/{x:integer}")
    } throws: { error in
      "\(error)".contains("unknown route constraint 'integer'")
        && "\(error)".contains("minlength(n)")
    }
  }

  @Test func precedenceOrdersLiteralsFirst() throws {
    let literal = try RouteTemplate(parsing: "items/new").precedence
    let constrained = try RouteTemplate(parsing: "items/{id:int}").precedence
    let plain = try RouteTemplate(parsing: "items/{id}").precedence
    let catchAll = try RouteTemplate(parsing: "items/{*rest}").precedence
    #expect(literal.lexicographicallyPrecedes(constrained))
    #expect(constrained.lexicographicallyPrecedes(plain))
    #expect(plain.lexicographicallyPrecedes(catchAll))
  }

  @Test func canonicalKeyIgnoresNamesAndCase() throws {
    #expect(
      try RouteTemplate(parsing: "Items/{id:int}").canonicalKey
        == RouteTemplate(parsing: "/items/{key:int}/").canonicalKey
    )
    #expect(
      try RouteTemplate(parsing: "items/{id:int}").canonicalKey
        != RouteTemplate(parsing: "items/{id}").canonicalKey
    )
  }
}
