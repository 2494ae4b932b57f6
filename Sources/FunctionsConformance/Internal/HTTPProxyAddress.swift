internal import Foundation

/// Where a worker's own HTTP server listens, read from its `HttpUri` capability (protocol.md §2.6):
/// `http://127.0.0.1:<port>` or `http+unix://<absolute socket path, every "/" encoded as %2F>`.
enum HTTPProxyAddress: Equatable, CustomStringConvertible {
  /// TCP on the loopback address.
  case tcp(port: Int)
  /// A Unix socket at this absolute path.
  case unix(path: String)

  /// Parses `HttpUri`; the error text names the value and the form expected.
  static func parse(_ uri: String) -> Result<HTTPProxyAddress, ScenarioFailure> {
    let expected = "expected http://127.0.0.1:<port> or http+unix://<%2F-encoded absolute socket path>"
    func bad(_ why: String) -> Result<HTTPProxyAddress, ScenarioFailure> {
      .failure(ScenarioFailure("HttpUri '\(uri.prefix(200))' \(why); \(expected)"))
    }
    if uri.hasPrefix("http+unix://") {
      let encoded = String(uri.dropFirst("http+unix://".count))
      guard !encoded.isEmpty else { return bad("names no socket path") }
      guard !encoded.contains("/") else { return bad("has an unencoded '/' (each must be %2F)") }
      guard let path = encoded.removingPercentEncoding else { return bad("is not valid percent-encoding") }
      guard path.hasPrefix("/") else { return bad("names the relative socket path '\(path)'") }
      return .success(.unix(path: path))
    }
    if uri.hasPrefix("http://") {
      var rest = Substring(uri.dropFirst("http://".count))
      if rest.hasSuffix("/") { rest = rest.dropLast() }
      guard let colon = rest.lastIndex(of: ":") else { return bad("has no port") }
      guard rest[..<colon] == "127.0.0.1" else { return bad("is not on 127.0.0.1") }
      guard let port = Int(rest[rest.index(after: colon)...]), (1...65_535).contains(port) else {
        return bad("has no valid port")
      }
      return .success(.tcp(port: port))
    }
    return bad("has an unknown scheme")
  }

  var description: String {
    switch self {
    case .tcp(let port): "TCP 127.0.0.1:\(port)"
    case .unix(let path): "Unix socket \(path)"
    }
  }
}
