internal import Foundation
internal import FunctionsRPC
internal import SwiftProtobuf

extension ConformanceScenario {
  /// `http-proxy`: HTTP proxying (protocol.md §2.6) with the kit offering a Unix socket path in
  /// `FUNCTIONS_HOST_HTTP_SOCKET`, as functions-host does. Applies when the worker advertises `HttpUri`
  /// (skipped otherwise). Checks:
  /// - `HttpUri` is `http://127.0.0.1:<port>` or `http+unix://<%2F-encoded absolute path>`, and
  ///   `RequiresRouteParameters` is `true` beside it;
  /// - the streaming fixture (``ConformanceFixtures/streamingApp``, an async generator function) is indexed
  ///   (marked `FunctionsHostHttpProxy` when the worker advertises `FunctionsHostHttpProxyPerFunction`)
  ///   and loads;
  /// - a raw HTTP request with `x-ms-invocation-id` plus an InvocationRequest whose trigger is `http` with
  ///   only `params`, in both orders (HTTP first, as the stock host does, then InvocationRequest first):
  ///   the response has the status and headers the function set, route value, query and body reached
  ///   the function, the body arrives chunked in at least two reads, and the InvocationResponse is Success;
  /// - an HTTP request whose `x-ms-invocation-id` names no invocation gets a 4xx within the invocation
  ///   timeout (the kit sets `FUNCTIONS_HOST_HTTP_PAIRING_TIMEOUT=1`, so the bundled worker answers 404
  ///   after 1 s instead of 60 s).
  ///
  /// Microsoft's worker streams only FastAPI-extension functions: it would need
  /// `azurefunctions-extensions-http-fastapi` installed and a fixture whose function takes a FastAPI
  /// `Request` and returns a `StreamingResponse`; the generator fixture here fails on it.
  public static let httpProxy = httpProxy(name: "http-proxy", offersSocket: true)

  /// `http-proxy-tcp`: ``httpProxy`` without `FUNCTIONS_HOST_HTTP_SOCKET`, as under the stock host (the
  /// bundled worker then listens on TCP 127.0.0.1).
  public static let httpProxyTCP = httpProxy(name: "http-proxy-tcp", offersSocket: false)

  static let pairingTimeoutVariable = "FUNCTIONS_HOST_HTTP_PAIRING_TIMEOUT"

  static func httpProxy(name: String, offersSocket: Bool) -> ConformanceScenario {
    ConformanceScenario(
      name: name,
      summary: "HttpUri proxying (if advertised\(offersSocket ? "; Unix socket offered" : "; no socket offered")): a streamed "
        + "generator response via the worker's own server, HTTP or InvocationRequest first; unknown id gets 4xx",
      app: .streaming, launchEnvironment: [pairingTimeoutVariable: "1"], offersHTTPSocket: offersSocket
    ) { context in
      let session = context.session
      try await session.handshake()
      let capabilities = session.capabilities
      let requiresRoute = capabilities["RequiresRouteParameters"]
      guard let uri = capabilities["HttpUri"], !uri.isEmpty else {
        throw ScenarioSkip(
          "the worker does not advertise HttpUri (HTTP proxying)"
            + (requiresRoute.map { " (it advertises RequiresRouteParameters=\($0), which means nothing without it)" } ?? ""))
      }
      let address = try HTTPProxyAddress.parse(uri).get()
      try require(
        requiresRoute?.lowercased() == "true",
        "HttpUri is advertised but RequiresRouteParameters is \(requiresRoute.map { "'\($0)'" } ?? "absent"); a proxied "
          + "invocation carries its route values only in the InvocationRequest's params, so it must be 'true'")
      let function = try await loadStreamingFunction(session)
      let note = try await ProxyClient.with(uri: uri) { client in
        var timings: [String] = []
        for httpFirst in [true, false] {
          timings.append(try await proxiedRound(session, client: client, functionID: function, httpFirst: httpFirst))
        }
        timings.append(try await unknownInvocation(session, client: client))
        return timings.joined(separator: "; ")
      }
      var place = "\(address)"
      if let offered = context.offeredHTTPSocket, address != .unix(path: offered) {
        place += " (the offered socket \(offered) was not used)"
      }
      return "\(place); \(note)"
    }
  }

  /// Indexes the streaming app and loads `stream`; returns its function id.
  static func loadStreamingFunction(_ session: ConformanceSession) async throws -> String {
    let response = try await session.requestMetadata()
    if response.useDefaultMetadataIndexing {
      throw ScenarioSkip("the worker advertises HttpUri but does not index function_app.py apps (the streaming fixture is one)")
    }
    try require(response.result.status == .success, "indexing reported \(ConformanceSession.describe(response.result))")
    guard let stream = response.functionMetadataResults.first(where: { $0.name == "stream" }) else {
      throw ScenarioFailure("indexing found \(response.functionMetadataResults.map(\.name)), not the fixture's 'stream'")
    }
    if session.capabilities["FunctionsHostHttpProxyPerFunction"]?.lowercased() == "true" {
      let marked = stream.properties["FunctionsHostHttpProxy"]
      try require(
        marked?.lowercased() == "true",
        "the worker advertises FunctionsHostHttpProxyPerFunction but the generator function 'stream' has "
          + "properties[FunctionsHostHttpProxy] = \(marked.map { "'\($0)'" } ?? "absent"), so a host would not proxy it")
    }
    let load = try await session.load(metadata: stream, functionID: stream.functionID)
    try require(load.result.status == .success, "loading 'stream' failed: \(ConformanceSession.describe(load.result))")
    return stream.functionID
  }
}
