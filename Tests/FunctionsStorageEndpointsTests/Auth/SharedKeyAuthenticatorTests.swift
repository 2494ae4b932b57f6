import Foundation
import HTTPTypes
import NIOCore
import Hummingbird
import Testing

@testable import FunctionsStorageEndpoints

/// Requests signed by the real Python SDKs (azure-storage-queue 12.18.1, azure-storage-blob
/// 12.31.1, captured before sending) must verify; any change must not.
@Suite("SharedKey verification")
struct SharedKeyAuthenticatorTests {
  struct Captured: Sendable, CustomTestStringConvertible {
    var name: String
    var method: String
    var target: String
    var headers: [(String, String)]
    var testDescription: String { name }
  }

  static let captured: [Captured] = [
    Captured(
      name: "queue put message (Content-Length, Content-Type)", method: "POST",
      target: "/devstoreaccount1/orders/messages",
      headers: [
        ("Content-Length", "126"), ("Content-Type", "application/xml"), ("x-ms-version", "2026-10-06"),
        ("Accept", "application/xml"), ("x-ms-date", "Thu, 26 Nov 2026 14:12:46 GMT"),
        ("x-ms-client-request-id", "74836f86-e9a3-11f1-90da-02fc00000001"),
        ("Authorization", "SharedKey devstoreaccount1:3iHRe/kc2NPXzAd3EdFlAfvZTWK5cvFNhgOvfr82I90="),
      ]),
    Captured(
      name: "queue set metadata (service header order: my_key before my-key2)", method: "PUT",
      target: "/devstoreaccount1/orders?comp=metadata",
      headers: [
        ("x-ms-meta-Owner", "ada"), ("x-ms-meta-my_key", "1"), ("x-ms-meta-my-key2", "x"),
        ("x-ms-version", "2026-10-06"), ("x-ms-date", "Thu, 26 Nov 2026 14:12:46 GMT"),
        ("x-ms-client-request-id", "74837ce2-e9a3-11f1-90da-02fc00000001"),
        ("Authorization", "SharedKey devstoreaccount1:b3VFWBwIaHzEuHSfBQciQmqcoX5cf4yw1C7IL5OYOkY="),
      ]),
    Captured(
      name: "blob put with If-None-Match and an encoded name", method: "PUT",
      target: "/devstoreaccount1/photos/dir/my%20photo%2B1.txt",
      headers: [
        ("Content-Length", "5"), ("x-ms-meta-a", "b"), ("x-ms-blob-type", "BlockBlob"), ("If-None-Match", "*"),
        ("x-ms-version", "2026-10-06"), ("Content-Type", "application/octet-stream"),
        ("Accept", "application/xml"), ("x-ms-date", "Thu, 26 Nov 2026 14:12:46 GMT"),
        ("x-ms-client-request-id", "748397c2-e9a3-11f1-90da-02fc00000001"),
        ("Authorization", "SharedKey devstoreaccount1:2NzhMIBO3a+grORmCTiH8uuNrnHnhc5XJjB1zRARdvY="),
      ]),
    Captured(
      name: "blob ranged get (x-ms-range)", method: "GET",
      target: "/devstoreaccount1/photos/dir/my%20photo%2B1.txt",
      headers: [
        ("x-ms-range", "bytes=0-33554431"), ("x-ms-version", "2026-10-06"), ("Accept", "application/xml"),
        ("x-ms-date", "Thu, 26 Nov 2026 14:12:46 GMT"),
        ("x-ms-client-request-id", "7483a334-e9a3-11f1-90da-02fc00000001"),
        ("Authorization", "SharedKey devstoreaccount1:NYtIf6k7n3sgT0rFPtHWknO4sff8v4IFnFFz19sUimU="),
      ]),
  ]

  let authenticator = SharedKeyAuthenticator(
    account: "devstoreaccount1", base64Key: StorageEndpoints.developmentAccountKey)!

  private func fields(_ pairs: [(String, String)]) -> HTTPFields {
    var fields = HTTPFields()
    for (name, value) in pairs { fields.append(HTTPField(name: HTTPField.Name(name)!, value: value)) }
    return fields
  }

  @Test(arguments: captured)
  func pythonSDKSignaturesVerify(request: Captured) throws {
    let target = try #require(RequestTarget(request.target))
    let outcome = authenticator.authenticate(
      method: request.method, headers: fields(request.headers), target: target, allowsLite: false)
    #expect(outcome == .authenticated)
  }

  @Test(arguments: captured)
  func anyChangeFailsVerification(request: Captured) throws {
    let target = try #require(RequestTarget(request.target))
    // Another method, another path, another header value: each must fail.
    #expect(
      authenticator.authenticate(
        method: "DELETE", headers: fields(request.headers), target: target, allowsLite: false) != .authenticated)
    let other = try #require(RequestTarget(request.target.replacingOccurrences(of: "devstoreaccount1/", with: "devstoreaccount1/x")))
    #expect(
      authenticator.authenticate(
        method: request.method, headers: fields(request.headers), target: other, allowsLite: false) != .authenticated)
    var headers = fields(request.headers)
    headers[HTTPField.Name("x-ms-date")!] = "Thu, 26 Nov 2026 14:12:47 GMT"
    #expect(authenticator.authenticate(method: request.method, headers: headers, target: target, allowsLite: false) != .authenticated)
    let wrongKey = SharedKeyAuthenticator(account: "devstoreaccount1", base64Key: "AAAA")!
    #expect(
      wrongKey.authenticate(method: request.method, headers: fields(request.headers), target: target, allowsLite: false)
        != .authenticated)
  }

  @Test func theCanonicalizedResourceDoublesTheAccount() throws {
    let target = try #require(RequestTarget("/devstoreaccount1/orders/messages?numofmessages=2&visibilitytimeout=30"))
    let request = CanonicalRequest(
      method: "GET", headers: fields([("x-ms-version", "2025-01-05"), ("x-ms-date", "D"), ("Content-Length", "0")]),
      rawPath: target.rawPath, query: target.query)
    let stringToSign = request.sharedKeyStringToSign(account: "devstoreaccount1", order: .service)
    #expect(
      stringToSign
        == "GET\n\n\n\n\n\n\n\n\n\n\n\nx-ms-date:D\nx-ms-version:2025-01-05\n"
        + "/devstoreaccount1/devstoreaccount1/orders/messages\nnumofmessages:2\nvisibilitytimeout:30")
    let lite = request.sharedKeyLiteStringToSign(account: "devstoreaccount1", order: .service)
    #expect(lite == "GET\n\n\n\nx-ms-date:D\nx-ms-version:2025-01-05\n/devstoreaccount1/devstoreaccount1/orders/messages")
  }

  @Test func serviceHeaderOrderMatchesThePythonSDK() {
    // Hyphens are ignored at first; '_' sorts before letters and digits.
    let names = ["x-ms-meta-my-key2", "x-ms-meta-my_key", "x-ms-meta-a", "x-ms-date", "x-ms-version", "x-ms-meta-ab", "x-ms-meta-a-b"]
    #expect(
      names.sorted(by: CanonicalRequest.serviceOrder)
        == ["x-ms-date", "x-ms-meta-a", "x-ms-meta-ab", "x-ms-meta-a-b", "x-ms-meta-my_key", "x-ms-meta-my-key2", "x-ms-version"])
  }

  @Test func malformedAndForeignAuthorizationIsRejected() throws {
    let target = try #require(RequestTarget("/devstoreaccount1/orders"))
    for value in ["SharedKey", "Bearer abc", "SharedKey other:AAAA", "SharedKey devstoreaccount1:not-base64!", "SharedKeyLite devstoreaccount1:AAAA"] {
      let outcome = authenticator.authenticate(
        method: "GET", headers: fields([("Authorization", value)]), target: target, allowsLite: false)
      guard case .rejected = outcome else {
        Issue.record("\(value) was not rejected: \(outcome)")
        continue
      }
    }
    #expect(authenticator.authenticate(method: "GET", headers: [:], target: target, allowsLite: false) == .anonymous)
  }
}
