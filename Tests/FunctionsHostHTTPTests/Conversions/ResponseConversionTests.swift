import Foundation
import FunctionsHostCore
import FunctionsRPC
import Hummingbird
import SwiftProtobuf
import Testing

@testable import FunctionsHostHTTP

@Suite("InvocationOutput → HTTP response")
struct ResponseConversionTests {
  @Test func rpcHttpStatusHeadersAndBody() async throws {
    let response = try HTTPResponseConversion.response(
      for: .http(
        status: "201",
        headers: ["Content-Type": "application/xml", "X-Trace": "abc", "Content-Length": "999"],
        body: .string("<a/>")
      )
    )
    #expect(response.status.code == 201)
    #expect(response.headers[.contentType] == "application/xml")
    #expect(response.headers[HTTPField.Name("x-trace")!] == "abc")
    #expect(response.headers[.contentLength] == "4")
    #expect(try await response.bodyText() == "<a/>")
  }

  @Test(arguments: [
    (AzureFunctionsRpcMessages_TypedData.string("hi"), "text/plain; charset=utf-8", "hi"),
    (.json(#"{"a":1}"#), "application/json", #"{"a":1}"#),
    (.bytes([0x41, 0x42]), "application/octet-stream", "AB"),
  ])
  func defaultContentTypes(
    body: AzureFunctionsRpcMessages_TypedData,
    contentType: String,
    text: String
  ) async throws {
    let viaHTTP = try HTTPResponseConversion.response(for: .http(status: "200", body: body))
    #expect(viaHTTP.headers[.contentType] == contentType)
    #expect(try await viaHTTP.bodyText() == text)
    let plain = try HTTPResponseConversion.response(for: body)
    #expect(plain.status == .ok)
    #expect(plain.headers[.contentType] == contentType)
    #expect(try await plain.bodyText() == text)
  }

  @Test func emptyStatusIs200AndMissingValueIs200Empty() async throws {
    #expect(
      try HTTPResponseConversion.response(for: .http(status: "", body: .string("x"))).status == .ok
    )
    let none = try HTTPResponseConversion.response(for: nil)
    #expect(none.status == .ok)
    #expect(none.headers[.contentLength] == "0")
    #expect(try await none.bodyText() == "")
  }

  @Test(arguments: ["abc", "99", "1000", "20 0", "-1"])
  func invalidStatusIs500NamingTheValue(_ status: String) {
    #expect {
      try HTTPResponseConversion.response(for: .http(status: status, body: .string("x")))
    } throws: { error in
      guard let error = error as? FrontDoorError else { return false }
      return error.status == .internalServerError && error.message.contains("'\(status)'")
    }
  }

  @Test func noContentHasNoBody() async throws {
    let response = try HTTPResponseConversion.response(
      for: .http(status: "204", body: .string("ignored"))
    )
    #expect(response.status == .noContent)
    #expect(response.headers[.contentLength] == nil)
    #expect(try await response.bodyText() == "")
  }

  @Test func unsupportedBodyTypeIs500() {
    var body = AzureFunctionsRpcMessages_TypedData()
    body.data = .collectionString(.init())
    #expect(throws: FrontDoorError.self) {
      try HTTPResponseConversion.response(for: .http(status: "200", body: body))
    }
  }

  @Test func cookiesBecomeSetCookieHeadersWithEveryAttribute() throws {
    var full = AzureFunctionsRpcMessages_RpcHttpCookie()
    full.name = "session"
    full.value = "a b;c"
    full.domain.value = "example.com"
    full.path.value = "/app"
    full.expires.value = Google_Protobuf_Timestamp(seconds: 784_111_777, nanos: 0)  // Sun, 06 Nov 1994 08:49:37 GMT
    full.maxAge.value = 3600.9
    full.secure.value = true
    full.httpOnly.value = true
    full.sameSite = .explicitNone
    var minimal = AzureFunctionsRpcMessages_RpcHttpCookie()
    minimal.name = "theme"
    minimal.value = "dark"
    minimal.sameSite = .lax
    minimal.secure.value = false

    let response = try HTTPResponseConversion.response(
      for: .http(status: "200", cookies: [full, minimal])
    )
    let cookies = response.headers[values: .setCookie]
    #expect(
      cookies == [
        "session=a%20b%3Bc; Expires=Sun, 06 Nov 1994 08:49:37 GMT; Max-Age=3600; Domain=example.com; "
          + "Path=/app; Secure; SameSite=None; HttpOnly",
        "theme=dark; Path=/; SameSite=Lax",
      ]
    )
  }

  @Test(arguments: [
    (Int64(0), "Thu, 01 Jan 1970 00:00:00 GMT"), (951_782_400, "Tue, 29 Feb 2000 00:00:00 GMT"),
    (4_102_444_799, "Thu, 31 Dec 2099 23:59:59 GMT"), (-1, "Wed, 31 Dec 1969 23:59:59 GMT"),
  ])
  func imfFixdate(seconds: Int64, expected: String) {
    #expect(SetCookie.imfFixdate(secondsSince1970: seconds) == expected)
  }

  @Test func outputBindingSelection() {
    let output = InvocationOutput(
      invocationID: "i",
      returnValue: .string("ret"),
      outputData: ["res": .string("named")]
    )
    #expect(
      HTTPResponseConversion.outputValue(of: output, outputBindingName: "$return")?.data
        == .string("ret")
    )
    #expect(
      HTTPResponseConversion.outputValue(of: output, outputBindingName: "res")?.data
        == .string("named")
    )
    #expect(
      HTTPResponseConversion.outputValue(of: output, outputBindingName: nil)?.data == .string("ret")
    )
  }
}
