import FunctionsTestSupport
import Foundation
import FunctionsHostCore
import FunctionsHostHTTP
import FunctionsRPC
import Logging
import ServiceLifecycle

extension LiveHost {
  /// Runs `body` with a started host and always stops it (also when `body` throws).
  static func with<T>(
    fixture: String, workers: Int = 1, configure: (inout FunctionsHost.Configuration) -> Void = { _ in },
    _ body: (LiveHost) async throws -> T
  ) async throws -> T {
    try await serving(try await LiveHost.start(fixture: fixture, workers: workers, configure: configure), body)
  }

  /// Runs `body` with `live` and always stops it (also when `body` throws).
  static func serving<T>(_ live: LiveHost, _ body: (LiveHost) async throws -> T) async throws -> T {
    do {
      let result = try await body(live)
      try await live.stop()
      return result
    } catch {
      try? await live.stop()
      throw error
    }
  }

  /// Sends `count` identical requests at once; returns the responses and the wall time for all of them.
  func concurrently(
    _ count: Int, _ method: String = "GET", _ path: String
  ) async throws -> (responses: [RawHTTPResponse], elapsed: Duration) {
    let clock = ContinuousClock()
    let started = clock.now
    let responses = try await withThrowingTaskGroup(of: RawHTTPResponse.self) { group in
      for _ in 0..<count { group.addTask { try await self.request(method, path) } }
      var all: [RawHTTPResponse] = []
      for try await response in group { all.append(response) }
      return all
    }
    return (responses, clock.now - started)
  }

  /// The first log record whose message contains `text` (waits for it; nil after the timeout).
  func log(containing text: String, timeout: Duration = .seconds(30)) async -> LogCapture.Record? {
    await logs.first(timeout: timeout) { $0.message.contains(text) }
  }
}

extension AzureFunctionsRpcMessages_TypedData {
  static func string(_ value: String) -> Self {
    var data = Self()
    data.string = value
    return data
  }

  static func bytes(_ value: Data) -> Self {
    var data = Self()
    data.bytes = value
    return data
  }

  /// An HTTP trigger value as the front door makes it.
  static func http(
    method: String = "GET", path: String, query: [String: String] = [:], params: [String: String] = [:],
    body: Data? = nil
  ) -> Self {
    var http = AzureFunctionsRpcMessages_RpcHttp()
    http.method = method
    http.url = "http://127.0.0.1\(path)"
    http.query = query
    http.params = params
    if let body { http.body = .bytes(body) }
    var data = Self()
    data.http = http
    return data
  }

  /// The body of an http value as text (string or bytes).
  var httpBodyText: String? {
    guard case .http(let http) = data else { return nil }
    switch http.body.data {
    case .string(let s): return s
    case .bytes(let b): return String(decoding: b, as: UTF8.self)
    default: return nil
    }
  }
}

extension AzureFunctionsRpcMessages_ParameterBinding {
  static func named(_ name: String, _ data: AzureFunctionsRpcMessages_TypedData) -> Self {
    var binding = Self()
    binding.name = name
    binding.data = data
    return binding
  }
}

extension RawHTTPResponse {
  /// Every value of a header (e.g. `Set-Cookie`), in order.
  func headers(_ name: String) -> [String] {
    headers.filter { $0.0.lowercased() == name.lowercased() }.map(\.1)
  }
}
