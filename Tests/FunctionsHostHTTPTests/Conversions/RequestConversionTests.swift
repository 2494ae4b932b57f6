import Foundation
import FunctionsHostCore
import FunctionsRPC
import Hummingbird
import Testing

@testable import FunctionsHostHTTP

@Suite("HTTP request → InvocationInput")
struct RequestConversionTests {
  let route = try! #require(try HTTPRoute(function: httpFunction("echo", route: "items/{id}")))

  func head(
    _ method: HTTPRequest.Method = .post,
    path: String,
    headers: HTTPFields = [:]
  ) -> HTTPRequest {
    HTTPRequest(
      method: method,
      scheme: "http",
      authority: "example.com:7071",
      path: path,
      headerFields: headers
    )
  }

  func input(
    _ head: HTTPRequest,
    body: String = "",
    params: [String: String] = ["id": "42"]
  ) -> InvocationInput {
    InvocationInput(
      httpRequest: head,
      body: ByteBuffer(string: body),
      route: route,
      params: params,
      traceContext: TraceContextGenerator().context(for: head.headerFields),
      defaultAuthority: "127.0.0.1:7071"
    )
  }

  @Test func rpcHttpBasics() throws {
    let request = input(head(path: "/api/items/42?b=2&a=1"), body: "hello")
    #expect(request.functionName == "echo")
    #expect(request.inputData.count == 1)
    let binding = try #require(request.inputData.first)
    #expect(binding.name == "req")
    guard case .http(let http)? = binding.data.data else {
      Issue.record("not http")
      return
    }
    #expect(http.method == "POST")
    #expect(http.url == "http://example.com:7071/api/items/42?b=2&a=1")
    #expect(http.params == ["id": "42"])
    #expect(http.query == ["a": "1", "b": "2"])
    #expect(http.body.data == .bytes(Data("hello".utf8)))
    #expect(!http.hasRawBody)
    #expect(http.identities.isEmpty)
  }

  @Test func emptyBodyIsLeftUnset() {
    let http = input(head(.get, path: "/api/items/1")).inputData[0].data.http
    #expect(!http.hasBody)
  }

  @Test func headersAreLowerCasedAndRepeatsCommaJoined() {
    var fields = HTTPFields()
    fields.append(HTTPField(name: HTTPField.Name("X-Custom")!, value: "a"))
    fields.append(HTTPField(name: HTTPField.Name("x-custom")!, value: "b"))
    fields.append(HTTPField(name: HTTPField.Name("X-Empty")!, value: ""))
    fields.append(HTTPField(name: .contentType, value: "text/plain"))
    fields.append(HTTPField(name: .cookie, value: "a=1"))
    fields.append(HTTPField(name: .cookie, value: "b=2"))
    let http = input(head(path: "/api/items/1", headers: fields)).inputData[0].data.http
    #expect(http.headers["x-custom"] == "a,b")
    #expect(http.headers["x-empty"] == "")
    #expect(http.headers["content-type"] == "text/plain")
    #expect(http.headers["cookie"] == "a=1; b=2")
    #expect(http.headers["host"] == "example.com:7071")
    #expect(http.headers.keys.allSatisfy { $0 == $0.lowercased() })
  }

  @Test func queryIsDecodedJoinedAndEmptyValuesDropped() {
    let http = input(
      head(path: "/api/items/1?name=J%C3%BCrgen+M&tag=a&Tag=b&empty=&flag&tag=&code=k#frag")
    )
    .inputData[0].data.http
    #expect(http.query == ["name": "Jürgen M", "tag": "a,b", "code": "k"])
  }

  @Test func triggerMetadata() throws {
    var fields = HTTPFields()
    fields.append(HTTPField(name: HTTPField.Name("X-One")!, value: "1"))
    let request = input(
      head(path: "/api/items/42?q=x&code=secret&id=fromquery", headers: fields),
      body: #"{"name":"ann","age":30,"ok":true,"nested":{"a":1},"list":[1,2],"nothing":null}"#
    )
    let m = request.triggerMetadata
    #expect(m["q"]?.data == .string("x"))
    #expect(m["code"] == nil)
    #expect(m["id"]?.data == .string("42"))  // route values win over query parameters
    #expect(m["name"]?.data == .string("ann"))
    #expect(m["age"]?.data == .string("30"))
    #expect(m["ok"]?.data == .string("true"))
    #expect(m["nested"]?.data == .json(#"{"a":1}"#))
    #expect(m["list"]?.data == .json("[1,2]"))
    #expect(m["nothing"] == nil)
    #expect(m["req"] == nil && m["$request"] == nil)
    guard case .json(let query)? = m["Query"]?.data, case .json(let headers)? = m["Headers"]?.data
    else {
      Issue.record("Query/Headers missing")
      return
    }
    let queryObject = try JSONSerialization.jsonObject(with: Data(query.utf8)) as? [String: String]
    #expect(queryObject == ["q": "x", "code": "secret", "id": "fromquery"])
    let headerObject =
      try JSONSerialization.jsonObject(with: Data(headers.utf8)) as? [String: String]
    #expect(headerObject?["x-one"] == "1")
    #expect(headerObject?["host"] == "example.com:7071")
  }

  @Test func nonJSONBodyAddsNoProperties() {
    let m = input(head(path: "/api/items/1"), body: "{not json").triggerMetadata
    #expect(Set(m.keys) == ["id", "Query", "Headers"])
  }

  @Test func traceContextContinuesAnIncomingTraceparent() throws {
    var fields = HTTPFields()
    fields[HTTPField.Name.traceparent] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    fields[HTTPField.Name.tracestate] = "congo=t61rcWkgMzE"
    let context = TraceContextGenerator().context(for: fields)
    let parts = context.traceParent.split(separator: "-")
    #expect(parts.count == 4)
    #expect(parts[0] == "00" && parts[1] == "0af7651916cd43dd8448eb211c80319c" && parts[3] == "01")
    #expect(parts[2] != "b7ad6b7169203331" && parts[2].count == 16)
    #expect(context.traceState == "congo=t61rcWkgMzE")
  }

  @Test(arguments: [
    "", "garbage", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331",
    "ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
    "00-00000000000000000000000000000000-b7ad6b7169203331-01",
    "00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01",
  ])
  func invalidTraceparentGetsAFreshOne(_ header: String) {
    var fields = HTTPFields()
    if !header.isEmpty { fields[HTTPField.Name.traceparent] = header }
    fields[HTTPField.Name.tracestate] = "ignored=1"
    let context = TraceContextGenerator().context(for: fields)
    #expect(TraceParent(context.traceParent) != nil)
    #expect(context.traceParent.hasPrefix("00-") && context.traceParent.hasSuffix("-01"))
    #expect(context.traceParent.count == 55)
    #expect(context.traceState == "")
  }

  @Test func freshTraceparentsDiffer() {
    let generator = TraceContextGenerator()
    let ids = Set((0 ..< 1000).map { _ in generator.context(for: [:]).traceParent })
    #expect(ids.count == 1000)
  }
}
