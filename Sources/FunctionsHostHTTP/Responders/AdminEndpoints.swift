internal import FunctionsHostCore
internal import Hummingbird

/// The host's own endpoints under `/admin`.
///
/// - `GET|HEAD|POST /admin/host/ping` → 200, empty (Azure's liveness probe); never needs a key.
/// - `GET /admin/host/status` → ``HostStatus`` JSON from the status provider; without one,
///   `{"state":"Running"}` (the front door knows no more).
/// - `GET /admin/functions` → a JSON array with, per function, `name`, `disabled`, `trigger`
///   and, for HTTP triggers, `route` (with the prefix), `methods` (`null` = all), `authLevel`
///   and `url`.
///
/// The operator endpoints (metrics, dashboard, runs by hand) are in ``ObservabilityEndpoints``.
///
/// Every endpoint but ping needs the master key when keys are enforced (checked by the caller,
/// see ``isOpen(_:)``).
enum AdminEndpoints {
  static func response(
    method: HTTPRequest.Method,
    path: Substring,
    authority: String,
    functions: @autoclosure () -> [FunctionMetadata],
    routePrefix: String,
    status: (@Sendable () -> HostStatus)?
  ) -> Response {
    let normalized = normalizedPath(path)
    if normalized.asciiCaseInsensitiveEquals("/admin/host/ping") {
      guard [.get, .head, .post].contains(method) else {
        return notAllowed(method, path, "GET, HEAD, POST")
      }
      return Response(status: .ok, headers: [.cacheControl: "no-store"])
    }
    if normalized.asciiCaseInsensitiveEquals("/admin/functions") {
      guard [.get, .head].contains(method) else { return notAllowed(method, path, "GET, HEAD") }
      let body = functionsJSON(functions(), authority: authority, routePrefix: routePrefix)
      return Response(
        status: .ok,
        headers: [.contentType: "application/json; charset=utf-8"],
        body: .init(byteBuffer: ByteBuffer(string: body))
      )
    }
    if normalized.asciiCaseInsensitiveEquals("/admin/host/status") {
      guard [.get, .head].contains(method) else { return notAllowed(method, path, "GET, HEAD") }
      let body = status.map { $0().json } ?? #"{"state":"Running"}"#
      return Response(
        status: .ok,
        headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
        body: .init(byteBuffer: ByteBuffer(string: body))
      )
    }
    return FrontDoorError(
      status: .notFound,
      code: "routeNotFound",
      message: "no admin endpoint \(path)"
    ).response
  }

  /// Whether an admin path is open without the master key (only `/admin/host/ping`).
  static func isOpen(_ path: Substring) -> Bool {
    normalizedPath(path).asciiCaseInsensitiveEquals("/admin/host/ping")
  }

  private static func normalizedPath(_ path: Substring) -> Substring {
    var normalized = path
    while normalized.count > 1, normalized.last == "/" { normalized = normalized.dropLast() }
    return normalized
  }

  /// The `/admin/functions` body.
  static func functionsJSON(
    _ functions: [FunctionMetadata],
    authority: String,
    routePrefix: String
  ) -> String {
    let prefix = routePrefix.split(separator: "/").joined(separator: "/")
    var items: [String] = []
    for function in functions.sorted(by: { $0.name < $1.name }) {
      var item = "{\"name\":\(JSONValue.quote(function.name))"
      item += ",\"disabled\":\(function.isDisabled)"
      item += ",\"trigger\":" + (function.trigger.map { JSONValue.quote($0.type) } ?? "null")
      if let trigger = function.trigger, trigger.isHTTPTrigger {
        var route = HTTPRoute.routeText(of: function)
        while route.hasPrefix("/") { route.removeFirst() }
        let full = prefix.isEmpty ? route : (route.isEmpty ? prefix : "\(prefix)/\(route)")
        item += ",\"route\":\(JSONValue.quote(full))"
        if let methods = trigger.methods, !methods.isEmpty {
          item += ",\"methods\":[" + methods.map(JSONValue.quote).joined(separator: ",") + "]"
        } else {
          item += ",\"methods\":null"
        }
        item += ",\"authLevel\":\(JSONValue.quote(AuthLevel(trigger).name))"
        item += ",\"url\":\(JSONValue.quote("http://\(authority)/\(full)"))"
      }
      items.append(item + "}")
    }
    return "[" + items.joined(separator: ",") + "]"
  }

  private static func notAllowed(
    _ method: HTTPRequest.Method,
    _ path: Substring,
    _ allow: String
  ) -> Response {
    FrontDoorError(
      status: .methodNotAllowed,
      code: "methodNotAllowed",
      message: "method \(method.rawValue) is not allowed for \(path); allowed: \(allow)",
      headers: [.allow: allow]
    ).response
  }
}
