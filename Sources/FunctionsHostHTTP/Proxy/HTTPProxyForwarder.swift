internal import AsyncHTTPClient
internal import FunctionsHostCore
internal import Hummingbird
internal import Logging
internal import NIOCore
internal import NIOHTTP1
internal import NIOPosix
internal import Synchronization

/// Forwards HTTP requests to workers' own HTTP servers (stock HTTP proxying, protocol.md §2.6) and
/// hands back their responses as streams: nothing is buffered beyond what the sockets hold, so a slow
/// client slows the worker instead of growing the host.
///
/// One pooled HTTP/1.1 client (AsyncHTTPClient on the shared NIO event loops), created on first use:
/// no redirects followed, no decompression, a connect timeout and an activity (read) timeout — the
/// stock forwarder's is 240 s. ``shutdown()`` closes it; the front door calls it when it stops.
final class HTTPProxyForwarder: Sendable {
  /// Timeouts of the forwarder.
  struct Timeouts: Sendable {
    /// Connecting to the worker's server (a local socket: a refused connection is retried until then).
    var connect: Duration = .seconds(2)
    /// Longest silence while waiting for the response head or its next body bytes.
    var activity: Duration = .seconds(240)
  }

  private let timeouts: Timeouts
  private let client = Mutex<HTTPClient?>(nil)

  init(timeouts: Timeouts = .init()) {
    self.timeouts = timeouts
  }

  deinit {
    // A front door used in-process only never ran `shutdown()`: close the pool in the background.
    client.withLock { $0 }?.shutdown { _ in }
  }

  /// Shuts the client down (idle connections closed); a later request makes a new one.
  func shutdown() async {
    guard let client = client.withLock({ c -> HTTPClient? in defer { c = nil }; return c }) else { return }
    try? await client.shutdown()
  }

  private func httpClient() -> HTTPClient {
    client.withLock { existing in
      if let existing { return existing }
      var configuration = HTTPClient.Configuration()
      configuration.redirectConfiguration = .disallow
      configuration.decompression = .disabled
      configuration.httpVersion = .http1Only
      configuration.timeout = .init(
        connect: .nanoseconds(Int64(timeouts.connect / .nanoseconds(1))),
        read: .nanoseconds(Int64(timeouts.activity / .nanoseconds(1))))
      let made = HTTPClient(
        eventLoopGroupProvider: .shared(MultiThreadedEventLoopGroup.singleton), configuration: configuration)
      existing = made
      return made
    }
  }

  /// Sends `request` (its head and its body as it arrives) to `target` with the invocation id header,
  /// and returns the worker server's response head with its body still streaming.
  func forward(
    _ request: Request, to target: HTTPProxyTarget, invocationID: String, logger: Logger
  ) async throws -> HTTPClientResponse {
    var outgoing = HTTPClientRequest(url: target.baseURI + (request.head.path ?? "/"))
    outgoing.method = HTTPMethod(rawValue: request.method.rawValue)
    var declaredLength: Int64? = nil
    var hasBody = false
    for field in request.headers {
      let name = field.name.canonicalName
      if ProxyHeaders.isHopByHop(name) {
        if name == "transfer-encoding" { hasBody = true }
        continue
      }
      if name == "content-length" {
        declaredLength = Int64(field.value)
        hasBody = (declaredLength ?? 0) > 0
        continue
      }
      outgoing.headers.add(name: field.name.rawName, value: field.value)
    }
    if request.head.authority != nil, !outgoing.headers.contains(name: "host") {
      outgoing.headers.add(name: "host", value: request.head.authority!)
    }
    outgoing.headers.replaceOrAdd(name: HTTPProxyTarget.invocationIDHeader, value: invocationID)
    if hasBody {
      outgoing.body = .stream(request.body, length: declaredLength.map { .known($0) } ?? .unknown)
    }
    // The invocation's own timeout bounds the wait for the head (the invocation is cancelled, which
    // cancels this); the activity timeout bounds every silence after it. No overall deadline: a
    // stream may last as long as it keeps moving.
    do {
      return try await httpClient().execute(outgoing, deadline: .distantFuture, logger: logger)
    } catch let error as CancellationError {
      throw error
    } catch {
      throw FunctionsHostError(
        code: .proxyFailed,
        message: "the worker's HTTP server (\(target.baseURI)) did not answer: \(error)",
        invocationID: invocationID, cause: error)
    }
  }
}

/// Which headers stay on one hop (RFC 9110 §7.6.1).
enum ProxyHeaders {
  /// Whether `lowercasedName` is a hop-by-hop header that a proxy must not forward.
  static func isHopByHop(_ lowercasedName: String) -> Bool {
    switch lowercasedName {
    case "connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization", "te",
      "trailer", "transfer-encoding", "upgrade":
      true
    default: false
    }
  }
}
