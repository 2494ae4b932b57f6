internal import FunctionsHostCore

extension AdminEndpoints {
  /// The URL of an HTTP-triggered function, as `/admin/functions` gives it.
  static func url(of function: FunctionMetadata, authority: String, routePrefix: String) -> String {
    let prefix = routePrefix.split(separator: "/").joined(separator: "/")
    var route = HTTPRoute.routeText(of: function)
    while route.hasPrefix("/") { route.removeFirst() }
    let full = prefix.isEmpty ? route : (route.isEmpty ? prefix : "\(prefix)/\(route)")
    return "http://\(authority)/\(full)"
  }
}
