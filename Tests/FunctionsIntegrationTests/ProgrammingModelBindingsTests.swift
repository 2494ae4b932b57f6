import FunctionsTestSupport
import Foundation
import FunctionsHostCore
import FunctionsRPC
import Testing

/// The guide's "Triggers and inputs", "Outputs" and "HTTP trigger and bindings" sections, through the real
/// host and the bundled worker (fixture `model`, classic function.json folders).
@Suite(.serialized, .timeLimit(.minutes(3)))
struct ProgrammingModelBindingsTests {
  @Test func triggerAndAdditionalInputsArriveByBindingName() async throws {
    try await LiveHost.with(fixture: "model") { live in
      // A queue trigger `msg` plus an additional blob input `obj`, as the guide's function.json pair.
      let output = try await live.host.invoke(
        InvocationInput(
          functionName: "inputs",
          inputData: [.named("msg", .string("queued item")), .named("obj", .bytes(Data("blob content".utf8)))]))
      #expect(output.returnValue?.string == "queued item + b'blob content'")
      let logged = await live.log(containing: "Python queue trigger function processed: b'blob content'")
      #expect(logged?.metadata["invocationId"] == output.invocationID)
    }
  }

  @Test func outputsThroughReturnOutSetAndSeveralAtOnce() async throws {
    try await LiveHost.with(fixture: "model") { live in
      // The guide's example: msg.set(message) and return message.
      let viaHTTP = try await live.request("GET", "/api/outputs?body=queued-by-http")
      #expect(viaHTTP.status == 200)
      #expect(viaHTTP.text == "queued-by-http")
      let output = try await live.host.invoke(
        InvocationInput(
          functionName: "outputs", inputData: [.named("req", .http(path: "/api/outputs", query: ["body": "hello queue"]))]))
      #expect(output.outputData["msg"]?.string == "hello queue")
      #expect(output.returnValue?.httpBodyText == "hello queue")

      // Several outputs: two set, one left unset (absent), plus an HttpResponse $return.
      let several = try await live.host.invoke(
        InvocationInput(functionName: "several_outputs", inputData: [.named("req", .http(path: "/api/several_outputs"))]))
      #expect(several.outputData["first"]?.string == "to the queue")
      #expect(several.outputData["second"]?.bytes == Data("\u{0}to the blob".utf8))
      #expect(several.outputData["unset"] == nil)
      #expect(several.returnValue?.http.statusCode == "202")
      let severalHTTP = try await live.request("GET", "/api/several_outputs")
      #expect(severalHTTP.status == 202)
      #expect(severalHTTP.text == "three outputs, one left unset")
    }
  }

  @Test func annotationsAreCheckedAtLoadNamingFunctionParameterAndType() async throws {
    try await LiveHost.with(fixture: "model") { live in
      // `def main(req: str)` on an httpTrigger.
      let mismatch = try #require(live.report.loadErrors["typed_mismatch"])
      for fragment in ["typed_mismatch", "'req'", "str", "azure.functions.HttpRequest"] {
        #expect(mismatch.contains(fragment), "\(fragment) in \(mismatch)")
      }
      // A binding in function.json without its parameter.
      let missing = try #require(live.report.loadErrors["missing_param"])
      for fragment in ["missing_param", "'msg'", "azure.functions.Out[azure.functions.QueueMessage]"] {
        #expect(missing.contains(fragment), "\(fragment) in \(missing)")
      }
      // Both are in the host log and in the 500 body of the function.
      #expect(await live.log(containing: "failed to load function 'typed_mismatch'") != nil)
      let response = try await live.request("GET", "/api/missing_param")
      #expect(response.status == 500)
      #expect(response.text.contains("'msg'"), "\(response.text)")
      // The other functions serve.
      #expect(try await live.request("GET", "/api/custom_entry").text == "custom entry point")
    }
  }

  @Test func httpRequestGivesMethodURLHeadersParamsRouteBodyJSONFormAndFiles() async throws {
    try await LiveHost.with(fixture: "model") { live in
      // Query, route parameters, headers (case-insensitive), JSON body.
      let json = try await live.request(
        "POST", "/api/request/42?name=Ada&tag=a&tag=b",
        headers: ["X-Custom-Header": "custom value", "Content-Type": "application/json"],
        body: Data(#"{"answer": 42}"#.utf8))
      #expect(json.status == 200, "\(json.text)")
      let body = try #require(json.json, "\(json.text)")
      #expect(body["method"] as? String == "POST")
      let url = try #require(body["url"] as? String)
      #expect(url.hasPrefix("http://127.0.0.1:\(live.port)/api/request/42"), "\(url)")
      #expect(body["header"] as? String == "custom value")
      #expect(body["header_case"] as? String == "custom value")
      #expect((body["params"] as? [String: String])?["name"] == "Ada")
      #expect((body["route_params"] as? [String: String]) == ["id": "42"])
      #expect((body["json"] as? [String: Int]) == ["answer": 42])
      #expect(body["body"] as? String == #"{"answer": 42}"#)

      // get_json() raises ValueError on a body that is not JSON.
      let bad = try await live.request("POST", "/api/request/1/extra", body: Data("not json".utf8))
      let badBody = try #require(bad.json, "\(bad.text)")
      #expect((badBody["json"] as? String)?.hasPrefix("ValueError:") == true, "\(badBody)")
      #expect((badBody["route_params"] as? [String: String]) == ["id": "1", "rest": "extra"])

      // Form data.
      let form = try await live.request(
        "POST", "/api/request/2", headers: ["Content-Type": "application/x-www-form-urlencoded"],
        body: Data("first=Ada&last=Lovelace&last=Byron".utf8))
      let formBody = try #require(form.json, "\(form.text)")
      #expect((formBody["form"] as? [String: [String]]) == ["first": ["Ada"], "last": ["Lovelace", "Byron"]])

      // A multipart upload: fields and files.
      let boundary = "----functions-host-test"
      let multipart = [
        "--\(boundary)", #"Content-Disposition: form-data; name="title""#, "", "report",
        "--\(boundary)", #"Content-Disposition: form-data; name="upload"; filename="notes.txt""#,
        "Content-Type: text/plain", "", "file content here", "--\(boundary)--", "",
      ].joined(separator: "\r\n")
      let upload = try await live.request(
        "POST", "/api/request/3", headers: ["Content-Type": "multipart/form-data; boundary=\(boundary)"],
        body: Data(multipart.utf8))
      let uploadBody = try #require(upload.json, "\(upload.text)")
      #expect((uploadBody["form"] as? [String: [String]])?["title"] == ["report"], "\(uploadBody)")
      let file = try #require((uploadBody["files"] as? [String: [String: String]])?["upload"], "\(uploadBody)")
      #expect(file["filename"] == "notes.txt")
      #expect(file["content"] == "file content here")
      #expect(file["type"] == "text/plain")
    }
  }

  @Test func httpResponseBodyStatusHeadersMimetypeCharsetAndCookies() async throws {
    try await LiveHost.with(fixture: "model") { live in
      let custom = try await live.request("GET", "/api/http_response")
      #expect(custom.status == 418)
      #expect(custom.header("X-Teapot") == "short and stout")
      #expect(custom.header("Content-Type") == "text/plain; charset=utf-8")
      #expect(custom.text == "custom status and headers")

      let bytes = try await live.request("GET", "/api/http_response?kind=bytes")
      #expect(bytes.status == 201)
      #expect(bytes.header("Content-Type") == "image/png")
      #expect(bytes.body == Data([0x89]) + Data("PNG-bytes".utf8))

      let charset = try await live.request("GET", "/api/http_response?kind=charset")
      #expect(charset.header("Content-Type") == "text/plain; charset=iso-8859-1")
      #expect(charset.body == Data([0x68, 0xE9, 0x6C, 0x6C, 0x6F]), "héllo in Latin-1")

      let plain = try await live.request("GET", "/api/http_response?kind=str")
      #expect(plain.status == 200)
      #expect(plain.text == "a plain str return")

      let cookies = try await live.request("GET", "/api/http_response?kind=cookies")
      #expect(cookies.text == "with cookies")
      let setCookies = cookies.headers("Set-Cookie")
      #expect(setCookies.count == 2, "\(cookies.headers)")
      let session = try #require(setCookies.first { $0.hasPrefix("session=abc123") }, "\(setCookies)")
      for attribute in [
        "Domain=example.com", "Path=/app", "Expires=Wed, 21 Oct 2037 07:28:00 GMT", "Max-Age=3600", "Secure",
        "HttpOnly", "SameSite=Strict",
      ] {
        #expect(session.contains(attribute), "\(attribute) in \(session)")
      }
      let theme = try #require(setCookies.first { $0.hasPrefix("theme=dark") }, "\(setCookies)")
      #expect(theme.contains("SameSite=Lax"), "\(theme)")
      #expect(!theme.contains("Secure") && !theme.contains("HttpOnly"), "\(theme)")
    }
  }
}
