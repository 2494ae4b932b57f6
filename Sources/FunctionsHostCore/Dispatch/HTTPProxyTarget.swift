/// A worker's own HTTP server, to which the host forwards HTTP requests (stock "HTTP proxying",
/// capability `HttpUri`; protocol.md §2.6).
///
/// Microsoft's Python worker advertises it when the app uses `azurefunctions-extensions-http-fastapi`;
/// then every HTTP function of that worker is proxied. The bundled worker advertises it too, with
/// ``perFunctionCapability``: then only functions whose metadata carries ``functionProperty`` are
/// proxied (the ones that stream), and the others keep the buffered path.
public struct HTTPProxyTarget: Sendable, Hashable {
  /// The capability naming the server: `http://127.0.0.1:<port>` or `http+unix://<%2F-encoded path>`.
  public static let uriCapability = "HttpUri"
  /// With it, the RpcHttp of a proxied invocation carries the route values (`params`) only.
  public static let routeParametersCapability = "RequiresRouteParameters"
  /// The bundled worker's capability: proxy only the functions marked with ``functionProperty``.
  public static let perFunctionCapability = "FunctionsHostHttpProxyPerFunction"
  /// The function property (`RpcFunctionMetadata.properties`) marking a function the worker streams.
  public static let functionProperty = "FunctionsHostHttpProxy"
  /// The request header carrying the invocation id to the worker's server.
  public static let invocationIDHeader = "x-ms-invocation-id"

  /// The server's base URI as advertised (no trailing slash).
  public var baseURI: String
  /// Whether the worker wants the route values in the RpcHttp.
  public var requiresRouteParameters: Bool
  /// Whether only functions marked with ``functionProperty`` are proxied.
  public var perFunction: Bool

  /// Creates a target.
  public init(baseURI: String, requiresRouteParameters: Bool, perFunction: Bool) {
    var uri = baseURI
    while uri.hasSuffix("/") { uri.removeLast() }
    self.baseURI = uri
    self.requiresRouteParameters = requiresRouteParameters
    self.perFunction = perFunction
  }

  /// The target a worker's capabilities describe, or `nil` when it advertised no `HttpUri` or one
  /// the host cannot use (only `http://` and `http+unix://` are).
  package init?(capabilities: [String: String]) {
    guard let uri = capabilities[Self.uriCapability], !uri.isEmpty,
      uri.hasPrefix("http://") || uri.hasPrefix("http+unix://")
    else { return nil }
    self.init(
      baseURI: uri,
      requiresRouteParameters: Self.isTrue(capabilities[Self.routeParametersCapability]),
      perFunction: Self.isTrue(capabilities[Self.perFunctionCapability])
    )
  }

  /// Whether HTTP requests for `function` go to this server.
  public func proxies(_ function: FunctionMetadata) -> Bool {
    !perFunction || Self.isTrue(function.properties[Self.functionProperty])
  }

  private static func isTrue(_ value: String?) -> Bool {
    guard let value else { return false }
    return value == "1" || value.lowercased() == "true"
  }
}
