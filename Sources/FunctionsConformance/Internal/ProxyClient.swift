internal import AsyncHTTPClient
internal import Foundation
internal import NIOCore
internal import NIOHTTP1

/// A worker HTTP server's answer to one proxied request, with its body as the parts that arrived.
struct ProxiedResponse: Sendable {
  var status: Int
  var headers: [(name: String, value: String)]
  /// The body as read from the connection, one element per read (empty parts dropped).
  var parts: [Data]
  /// When the response head arrived.
  var headAt: ContinuousClock.Instant

  var body: Data { parts.reduce(into: Data()) { $0.append($1) } }

  /// The comma-joined values of a header (case-insensitive name), or nil.
  func header(_ name: String) -> String? {
    let values = headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    return values.isEmpty ? nil : values.joined(separator: ", ")
  }
}

/// The kit's side of HTTP proxying: sends raw HTTP requests with `x-ms-invocation-id` to a worker's own
/// server (`HttpUri`, TCP or `http+unix://`) the way a host forwards them, with AsyncHTTPClient.
struct ProxyClient: Sendable {
  /// The worker's `HttpUri` without a trailing slash; request targets are appended.
  let base: String
  let client: HTTPClient

  /// Runs `body` with a client for `uri`, then shuts the client down.
  static func with<Result: Sendable>(
    uri: String, body: (ProxyClient) async throws -> Result
  ) async throws -> Result {
    var configuration = HTTPClient.Configuration()
    configuration.redirectConfiguration = .disallow
    configuration.decompression = .disabled
    configuration.httpVersion = .http1Only
    configuration.timeout = .init(connect: .seconds(5))
    let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    let proxy = ProxyClient(base: uri.hasSuffix("/") ? String(uri.dropLast()) : uri, client: client)
    do {
      let result = try await body(proxy)
      try? await client.shutdown()
      return result
    } catch {
      try? await client.shutdown()
      throw error
    }
  }

  /// Sends `method target` with `x-ms-invocation-id: invocationID` (none when nil) and `body`, reads the
  /// whole response within `timeout`. `onSent` runs once the request head is on the connection (when
  /// the client starts pulling the body).
  ///
  /// - Throws: ``ScenarioFailure`` naming the server and the request when it cannot be reached or the
  ///   response does not complete in time.
  func send(
    _ method: String, _ target: String, invocationID: String?, body: Data, timeout: Duration,
    onSent: @escaping @Sendable () -> Void = {}
  ) async throws -> ProxiedResponse {
    var request = HTTPClientRequest(url: base + target)
    request.method = .init(rawValue: method)
    // A host forwards the client's Host header; AsyncHTTPClient sets none for http+unix URLs, and
    // HTTP/1.1 servers reject a request without one.
    request.headers.add(name: "host", value: "127.0.0.1:7071")
    if let invocationID { request.headers.add(name: "x-ms-invocation-id", value: invocationID) }
    request.headers.add(name: "content-type", value: "text/plain")
    request.body = .stream(
      SignallingBody(payload: ByteBuffer(bytes: body), onFirstPull: onSent), length: .known(Int64(body.count)))
    let what = "\(method) \(target) (x-ms-invocation-id \(invocationID ?? "absent")) to HttpUri \(base)"
    do {
      let seconds = Int64(timeout / .milliseconds(1))
      let response = try await client.execute(request, timeout: .milliseconds(seconds))
      let headAt = ContinuousClock.now
      var parts: [Data] = []
      for try await buffer in response.body where buffer.readableBytes > 0 {
        parts.append(Data(buffer.readableBytesView))
      }
      return ProxiedResponse(
        status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) }, parts: parts,
        headAt: headAt)
    } catch let failure as ScenarioFailure {
      throw failure
    } catch {
      throw ScenarioFailure("\(what) failed: \(Self.explain(error))")
    }
  }

  static func explain(_ error: any Error) -> String {
    if let client = error as? HTTPClientError {
      if client == .deadlineExceeded { return "no complete response within the time allowed" }
      if client == .remoteConnectionClosed { return "the worker's server closed the connection" }
    }
    let text = "\(error)"
    if text.contains("connectionRefused") || text.contains("Connection refused") || text.contains("ECONNREFUSED")
      || text.contains("No such file")
    {
      return "nothing listens there (\(text.prefix(200)))"
    }
    return String(text.prefix(300))
  }
}

/// A one-part request body that reports when the client first pulls it (the head has been written).
struct SignallingBody: AsyncSequence, Sendable {
  typealias Element = ByteBuffer
  let payload: ByteBuffer
  let onFirstPull: @Sendable () -> Void

  struct AsyncIterator: AsyncIteratorProtocol {
    var payload: ByteBuffer?
    var onFirstPull: (@Sendable () -> Void)?

    mutating func next() async -> ByteBuffer? {
      if let signal = onFirstPull {
        onFirstPull = nil
        signal()
      }
      defer { payload = nil }
      return payload
    }
  }

  func makeAsyncIterator() -> AsyncIterator { AsyncIterator(payload: payload, onFirstPull: onFirstPull) }
}
