import Hummingbird
import Testing

@testable import FunctionsHostHTTP

@Suite("HTTP front door: key management paths")
struct AdminKeyEndpointsTests {
  typealias Action = AdminKeyEndpoints.Action

  @Test(arguments: [
    (HTTPRequest.Method.get, "/admin/host/keys", Action.list(.host)),
    (.get, "/admin/host/keys/", .list(.host)),
    (.get, "/Admin/Host/Keys/default", .get(.host, name: "default")),
    (.put, "/admin/host/keys/ci", .set(.host, name: "ci")),
    (.post, "/admin/host/keys/_master", .rotate(.host, name: "_master")),
    (.delete, "/admin/host/keys/ci", .delete(.host, name: "ci")),
    (.get, "/admin/functions/hello/keys", .list(.function("hello"))),
    (.post, "/admin/functions/hello/keys/default", .rotate(.function("hello"), name: "default")),
    (.get, "/admin/functions/my%20fn/keys", .list(.function("my fn"))),
  ])
  func pathsNameTheirAction(method: HTTPRequest.Method, path: String, expected: Action) throws {
    let found = try #require(AdminKeyEndpoints.action(method: method, path: Substring(path)))
    #expect(try found.get() == expected)
  }

  @Test(arguments: [
    (HTTPRequest.Method.post, "/admin/host/keys", HTTPResponse.Status.methodNotAllowed),
    (.delete, "/admin/host/keys/_master", .badRequest),
    (.get, "/admin/host/keys/bad%0Aname", .badRequest),
    (.get, "/admin/functions/hello/keys/_master", .badRequest),
    (.patch, "/admin/host/keys/ci", .methodNotAllowed),
    (.get, "/admin/host/keys/a/b", .notFound),
  ])
  func badRequestsAreRefusedWithAReason(method: HTTPRequest.Method, path: String, status: HTTPResponse.Status) throws {
    let found = try #require(AdminKeyEndpoints.action(method: method, path: Substring(path)))
    guard case .failure(let error) = found else {
      Issue.record("\(method) \(path) was accepted")
      return
    }
    #expect(error.status == status)
    #expect(!error.message.isEmpty)
  }

  @Test func otherAdminPathsAreNotKeyPaths() {
    #expect(AdminKeyEndpoints.action(method: .get, path: "/admin/host/status") == nil)
    #expect(AdminKeyEndpoints.action(method: .get, path: "/admin/functions") == nil)
    #expect(AdminKeyEndpoints.action(method: .post, path: "/admin/functions/hello") == nil)
  }

  @Test func keyValuesMustBeLongPrintableAndWithoutSpaces() {
    #expect(AdminKeyEndpoints.isValidValue(String(repeating: "k", count: 32)))
    #expect(!AdminKeyEndpoints.isValidValue("short"))
    #expect(!AdminKeyEndpoints.isValidValue(String(repeating: "k", count: 20) + " space"))
    #expect(!AdminKeyEndpoints.isValidValue(String(repeating: "k", count: 257)))
  }
}
