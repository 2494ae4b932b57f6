import Hummingbird
import Testing

@testable import FunctionsHostHTTP

@Suite("Request keys")
struct RequestKeyTests {
  func head(_ path: String, key: String? = nil) -> HTTPRequest {
    var fields = HTTPFields()
    if let key { fields[RequestKey.headerName] = key }
    return HTTPRequest(
      method: .get,
      scheme: "http",
      authority: "h",
      path: path,
      headerFields: fields
    )
  }

  @Test(
    arguments: [
      ("/api/f?code=abc", "abc"),
      ("/api/f?x=1&code=abc&y=2", "abc"),
      ("/api/f?Code=abc", "abc"),
      ("/api/f?%63ode=abc", "abc"),
      ("/api/f?code=a%2Bb+c", "a+b c"),
      ("/api/f?code=abc&code=def", "abc"),
      ("/api/f?code=abc#frag", "abc"),
      ("/api/f?code=", ""),
      ("/api/f?codes=abc", nil),
      ("/api/f?xcode=abc", nil),
      ("/api/f#?code=abc", nil),
      ("/api/f?code", nil),
      ("/api/code=abc", nil),
    ] as [(String, String?)]
  )
  func queryParameter(path: String, key: String?) {
    #expect(RequestKey.key(of: head(path)).map(String.init) == key)
  }

  @Test func theHeaderWinsOverTheQuery() {
    #expect(RequestKey.key(of: head("/api/f?code=fromQuery", key: "fromHeader")) == "fromHeader")
    #expect(RequestKey.key(of: head("/api/f", key: "fromHeader")) == "fromHeader")
    #expect(RequestKey.key(of: head("/api/f?code=q", key: "")) == "q")
    var fields = HTTPFields()
    fields[HTTPField.Name("X-Functions-Key")!] = "mixedCase"
    let request = HTTPRequest(
      method: .get,
      scheme: "http",
      authority: "h",
      path: "/",
      headerFields: fields
    )
    #expect(RequestKey.key(of: request) == "mixedCase")
  }

  @Test(arguments: [
    ("/api/f?code=s3cret", "/api/f?code=REDACTED"),
    ("/api/f?a=1&CODE=s3cret&b=2", "/api/f?a=1&CODE=REDACTED&b=2"),
    ("/api/f?code=s3cret&code=two#x", "/api/f?code=REDACTED&code=REDACTED#x"),
    ("/api/f?%63ode=s3cret", "/api/f?%63ode=REDACTED"),
    ("/api/f?name=code", "/api/f?name=code"),
    ("/api/f#?code=x", "/api/f#?code=x"),
    ("/api/f", "/api/f"),
  ])
  func redaction(target: String, redacted: String) {
    #expect(RequestKey.redacted(target) == redacted)
  }
}
