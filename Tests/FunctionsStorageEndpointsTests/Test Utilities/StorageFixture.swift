import Foundation
import HTTPTypes
import NIOCore
import FunctionsStorage
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@testable import FunctionsStorageEndpoints

/// A fresh ``SQLiteStore`` in a temporary directory and endpoints over it.
struct StorageFixture: Sendable {
  let directory: String
  let store: SQLiteStore
  let endpoints: StorageEndpoints

  init(configure: (inout StorageEndpoints.Configuration) -> Void = { _ in }) throws {
    directory = NSTemporaryDirectory() + "storage-endpoints-tests-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    store = try SQLiteStore(
      path: directory + "/store.sqlite", configuration: .defaults { $0.chunkSize = 64 * 1024 })
    var logger = Logger(label: "storage-endpoints-tests")
    logger.logLevel = ProcessInfo.processInfo.environment["STORAGE_TEST_LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0) } ?? .critical
    endpoints = StorageEndpoints(store: store, configuration: .defaults(configure: configure), logger: logger)
  }

  func close() {
    store.close()
    try? FileManager.default.removeItem(atPath: directory)
  }

  /// Runs `body` against the Queue server (router-level, no sockets).
  static func queue(
    configure: (inout StorageEndpoints.Configuration) -> Void = { _ in },
    _ body: @escaping @Sendable (StorageClient, StorageFixture) async throws -> Void
  ) async throws {
    let fixture = try StorageFixture(configure: configure)
    defer { fixture.close() }
    try await fixture.endpoints.makeQueueApplication().test(.router) { client in
      try await body(StorageClient(client: client), fixture)
    }
  }

  /// Runs `body` against the Blob server (router-level, no sockets).
  static func blob(
    configure: (inout StorageEndpoints.Configuration) -> Void = { _ in },
    _ body: @escaping @Sendable (StorageClient, StorageFixture) async throws -> Void
  ) async throws {
    let fixture = try StorageFixture(configure: configure)
    defer { fixture.close() }
    try await fixture.endpoints.makeBlobApplication().test(.router) { client in
      try await body(StorageClient(client: client), fixture)
    }
  }
}

/// Sends SharedKey-signed requests the way the Azure SDKs do.
struct StorageClient: Sendable {
  let client: any TestClientProtocol
  var signer: SharedKeySigner? = SharedKeySigner()

  /// Sends a request to `/devstoreaccount1` + `path` (path and query as they go on the wire).
  @discardableResult
  func send(
    _ method: HTTPRequest.Method, _ path: String, headers: [String: String] = [:], body: [UInt8]? = nil
  ) async throws -> TestResponse {
    let uri = "/devstoreaccount1" + path
    var fields = HTTPFields()
    for (name, value) in headers.sorted(by: { $0.key < $1.key }) {
      fields.append(HTTPField(name: HTTPField.Name(name)!, value: value))
    }
    if let body { fields[.contentLength] = String(body.count) }
    signer?.sign(method: method.rawValue, uri: uri, headers: &fields)
    return try await client.executeRequest(
      uri: uri, method: method, headers: fields, body: body.map { ByteBuffer(bytes: $0) })
  }

  /// Sends a string body.
  @discardableResult
  func send(_ method: HTTPRequest.Method, _ path: String, headers: [String: String] = [:], text: String)
    async throws -> TestResponse
  {
    try await send(method, path, headers: headers, body: Array(text.utf8))
  }

  /// The same client with another signer (or none: anonymous).
  func signed(by signer: SharedKeySigner?) -> StorageClient {
    var copy = self
    copy.signer = signer
    return copy
  }
}

/// An independent SharedKey signer for the tests, written from the REST documentation and the
/// Python SDK's `SharedKeyCredentialPolicy` (only HMAC-SHA256 is shared with the module).
struct SharedKeySigner: Sendable {
  var account = "devstoreaccount1"
  var key = StorageEndpoints.developmentAccountKey
  var scheme = "SharedKey"

  func sign(method: String, uri: String, headers: inout HTTPFields) {
    headers[HTTPField.Name("x-ms-date")!] = HTTPDate.format(Date())
    if headers[HTTPField.Name("x-ms-version")!] == nil {
      headers[HTTPField.Name("x-ms-version")!] = "2025-01-05"
    }
    let stringToSign = Self.stringToSign(method: method, uri: uri, headers: headers, account: account, scheme: scheme)
    let mac = HMACSHA256.authenticationCode(for: Array(stringToSign.utf8), key: Array(Data(base64Encoded: key)!))
    headers[.authorization] = "\(scheme) \(account):\(Data(mac).base64EncodedString())"
  }

  static func stringToSign(method: String, uri: String, headers: HTTPFields, account: String, scheme: String) -> String {
    func value(_ name: String) -> String { headers[HTTPField.Name(name)!] ?? "" }
    let path = String(uri.prefix { $0 != "?" })
    let msHeaders = headers.filter { $0.name.canonicalName.hasPrefix("x-ms-") }
      .map { ($0.name.canonicalName, $0.value) }.sorted { $0.0 < $1.0 }
    let canonicalHeaders = msHeaders.map { "\($0.0):\($0.1)\n" }.joined()
    var query: [(String, String)] = []
    if let q = uri.firstIndex(of: "?") {
      for pair in uri[uri.index(after: q)...].split(separator: "&") {
        let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
        query.append((parts[0].lowercased(), (parts.count > 1 ? parts[1] : "").removingPercentEncoding!))
      }
    }
    if scheme == "SharedKeyLite" {
      let comp = query.first { $0.0 == "comp" }.map { "?comp=" + $0.1 } ?? ""
      return [method, value("content-md5"), value("content-type"), value("date")].joined(separator: "\n") + "\n"
        + canonicalHeaders + "/" + account + path + comp
    }
    let length = value("content-length") == "0" ? "" : value("content-length")
    let standard = [
      method, value("content-encoding"), value("content-language"), length, value("content-md5"),
      value("content-type"), value("date"), value("if-modified-since"), value("if-match"),
      value("if-none-match"), value("if-unmodified-since"), value("range"),
    ]
    return standard.joined(separator: "\n") + "\n" + canonicalHeaders + "/" + account + path
      + query.sorted { $0 < $1 }.map { "\n\($0.0):\($0.1)" }.joined()
  }
}

extension TestResponse {
  /// The body as text.
  var text: String { String(buffer: body) }
  /// The body as bytes.
  var bytes: [UInt8] { Array(body.readableBytesView) }
  /// A header by name.
  func header(_ name: String) -> String? { headers[HTTPField.Name(name)!] }
  /// `x-ms-error-code`.
  var errorCode: String? { header("x-ms-error-code") }

  /// The text of every `<name>` element in the body, in order.
  func elements(_ name: String) -> [String] {
    var result: [String] = []
    var rest = text[...]
    while let open = rest.range(of: "<\(name)>") {
      guard let close = rest[open.upperBound...].range(of: "</\(name)>") else { break }
      result.append(String(rest[open.upperBound..<close.lowerBound]))
      rest = rest[close.upperBound...]
    }
    return result
  }
}
