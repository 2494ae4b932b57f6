internal import Hummingbird

/// Request headers as the Azure Functions host hands them to a worker.
enum RequestHeaders {
  /// Every request header with its name lower-cased; repeated headers joined with `,` as
  /// .NET's `StringValues.ToString()` does (`cookie` crumbs with `; `). The `host` header is
  /// restored from the request's authority (HTTPTypes moves it there).
  static func rpcHeaders(of head: HTTPRequest) -> [String: String] {
    var result: [String: String] = [:]
    result.reserveCapacity(head.headerFields.count + 1)
    if let authority = head.authority { result["host"] = authority }
    for field in head.headerFields {
      let name = field.name.canonicalName
      if let existing = result[name] {
        if field.value.isEmpty { continue }
        if existing.isEmpty {
          result[name] = field.value
        } else {
          result[name] = existing + (name == "cookie" ? "; " : ",") + field.value
        }
      } else {
        result[name] = field.value
      }
    }
    return result
  }
}
