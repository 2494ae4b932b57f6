import FunctionsHostCore
import Testing

@testable import FunctionsHostHTTP

@Suite("Route table")
struct RouteTableTests {
  func matchedFunction(_ table: RouteTable, _ method: String, _ path: String) -> String? {
    if case .matched(let route, _) = table.lookup(path: path, method: method) {
      return route.functionName
    }
    return nil
  }

  @Test func literalBeatsParameterWhateverTheDeclarationOrder() {
    let table = RouteTable(
      functions: [
        httpFunction("byId", route: "items/{id}"),
        httpFunction("catchAll", route: "{*path}"),
        httpFunction("newItem", route: "items/new"),
        httpFunction("intId", route: "items/{id:int}"),
      ],
      routePrefix: "api"
    )
    #expect(matchedFunction(table, "GET", "/api/items/new") == "newItem")
    #expect(matchedFunction(table, "GET", "/api/ITEMS/NEW") == "newItem")
    #expect(matchedFunction(table, "GET", "/api/items/12") == "intId")
    #expect(matchedFunction(table, "GET", "/api/items/abc") == "byId")
    #expect(matchedFunction(table, "GET", "/api/other/thing") == "catchAll")
    #expect(table.problems.isEmpty)
  }

  @Test func routeDefaultsToFunctionName() {
    let table = RouteTable(functions: [httpFunction("HttpTrigger1")], routePrefix: "api")
    #expect(matchedFunction(table, "POST", "/api/httptrigger1") == "HttpTrigger1")
    #expect(matchedFunction(table, "POST", "/httptrigger1") == nil)
  }

  @Test func paramsAreReturned() {
    let table = RouteTable(
      functions: [httpFunction("f", route: "users/{user}/posts/{id:int?}")],
      routePrefix: "api"
    )
    guard case .matched(_, let params) = table.lookup(path: "/api/users/ann/posts/3", method: "GET")
    else {
      Issue.record("no match")
      return
    }
    #expect(params == ["user": "ann", "id": "3"])
  }

  @Test func methodMismatchIs405WithAllowedMethods() {
    let table = RouteTable(
      functions: [
        httpFunction("read", route: "items/{id}", methods: ["get"]),
        httpFunction("write", route: "items/{id}", methods: ["put", "PATCH"]),
      ],
      routePrefix: "api"
    )
    #expect(matchedFunction(table, "GET", "/api/items/1") == "read")
    #expect(matchedFunction(table, "PUT", "/api/items/1") == "write")
    guard case .methodNotAllowed(let allowed) = table.lookup(path: "/api/items/1", method: "DELETE")
    else {
      Issue.record("expected 405")
      return
    }
    #expect(allowed == ["GET", "PATCH", "PUT"])
    #expect(table.problems.isEmpty)
  }

  @Test func unknownPathIs404() {
    let table = RouteTable(functions: [httpFunction("a")], routePrefix: "api")
    guard case .notFound = table.lookup(path: "/api/b", method: "GET") else {
      Issue.record("expected 404")
      return
    }
  }

  @Test func disabledAndNonHTTPFunctionsAreNotRouted() {
    let table = RouteTable(
      functions: [httpFunction("off", disabled: true), timerFunction("tick"), httpFunction("on")],
      routePrefix: "api"
    )
    #expect(table.routes.map(\.functionName) == ["on"])
    #expect(matchedFunction(table, "GET", "/api/off") == nil)
    #expect(matchedFunction(table, "GET", "/api/tick") == nil)
  }

  @Test(arguments: [
    ("", "/hello", true), ("", "/api/hello", false), ("api", "/api/hello", true),
    ("api", "/hello", false),
    ("v1/fn", "/v1/fn/hello", true), ("/custom/", "/CUSTOM/hello", true),
    ("custom", "/api/hello", false),
  ])
  func routePrefix(prefix: String, path: String, matches: Bool) {
    let table = RouteTable(functions: [httpFunction("hello")], routePrefix: prefix)
    #expect((matchedFunction(table, "GET", path) != nil) == matches)
  }

  @Test func rootRouteWithEmptyPrefix() {
    let table = RouteTable(functions: [httpFunction("home", route: "/")], routePrefix: "")
    #expect(matchedFunction(table, "GET", "/") == "home")
  }

  @Test func duplicateRoutesAreReportedWithBothNames() throws {
    let functions = [
      httpFunction("getItem", route: "items/{id}", methods: ["GET", "POST"]),
      httpFunction("readItem", route: "Items/{key}", methods: ["get"]),
      httpFunction("putItem", route: "items/{id}", methods: ["PUT"]),
    ]
    let problems = HTTPFrontDoor.routeProblems(in: functions, routePrefix: "api")
    #expect(problems.count == 1)
    let problem = try #require(problems.first)
    #expect(problem.kind == .duplicateRoute)
    #expect(problem.functionNames == ["getItem", "readItem"])
    #expect(problem.message.contains("'getItem'") && problem.message.contains("'readItem'"))
    #expect(problem.message.contains("api/items/{id}"))
    #expect(problem.message.contains("GET"))
    #expect(problem.message.contains("neither function is routed"))
    // No winner: both claimants are refused, for every method they list; the third function,
    // whose method does not overlap, is still served.
    let table = RouteTable(functions: functions, routePrefix: "api")
    for method in ["GET", "POST"] {
      guard case .conflict(let route) = table.lookup(path: "/api/items/1", method: method) else {
        Issue.record("\(method) /api/items/1 is not refused: \(table.lookup(path: "/api/items/1", method: method))")
        continue
      }
      #expect(route.conflictingFunctions == ["getItem", "readItem"])
    }
    #expect(matchedFunction(table, "PUT", "/api/items/1") == "putItem")
    // A method that none of them lists is still a 405 naming every method of the template.
    guard case .methodNotAllowed(let allowed) = table.lookup(path: "/api/items/1", method: "DELETE")
    else {
      Issue.record("DELETE is not a 405")
      return
    }
    #expect(allowed == ["GET", "POST", "PUT"])
  }

  @Test func threeClaimantsAreAllRefused() {
    let table = RouteTable(
      functions: [
        httpFunction("a", route: "x"), httpFunction("b", route: "x"), httpFunction("c", route: "X"),
        httpFunction("d", route: "y"),
      ],
      routePrefix: "api"
    )
    #expect(table.problems.count == 3)
    guard case .conflict(let route) = table.lookup(path: "/api/x", method: "GET") else {
      Issue.record("not refused")
      return
    }
    #expect(route.conflictingFunctions == ["a", "b", "c"])
    #expect(matchedFunction(table, "GET", "/api/y") == "d")
  }

  @Test func duplicateWithoutMethodsMeansAllMethods() {
    let problems = HTTPFrontDoor.routeProblems(
      in: [httpFunction("a", route: "x"), httpFunction("b", route: "X", methods: ["DELETE"])],
      routePrefix: "api"
    )
    #expect(problems.map(\.kind) == [.duplicateRoute])
  }

  @Test func validateRoutesThrowsAConfigurationError() {
    #expect {
      try HTTPFrontDoor.validateRoutes(
        [httpFunction("a", route: "x"), httpFunction("b", route: "x")],
        routePrefix: "api"
      )
    } throws: { error in
      guard let error = error as? FunctionsHostError else { return false }
      return error.code == .configuration && error.message.contains("'a'")
        && error.message.contains("'b'")
    }
    #expect(throws: Never.self) {
      try HTTPFrontDoor.validateRoutes([httpFunction("a"), httpFunction("b")], routePrefix: "api")
    }
  }

  @Test func invalidAndReservedRoutesAreReported() {
    let problems = HTTPFrontDoor.routeProblems(
      in: [
        httpFunction("bad", route: "x/{id:nope}"), httpFunction("adm", route: "admin/x"),
        httpFunction("ok"),
      ],
      routePrefix: ""
    )
    #expect(problems.map(\.kind) == [.reservedRoute, .invalidRoute])
    #expect(problems.map(\.functionNames) == [["adm"], ["bad"]])
    #expect(
      HTTPFrontDoor.routeProblems(in: [httpFunction("adm", route: "admin/x")], routePrefix: "api")
        .isEmpty
    )
  }
}
