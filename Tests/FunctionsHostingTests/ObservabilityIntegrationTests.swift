import FunctionsTestSupport
import Foundation
import FunctionsHostCore
import FunctionsHostHTTP
import FunctionsHosting
import Testing

/// `/admin/metrics`, `POST /admin/functions/<name>` and the dashboard's data, against a real application
/// with the bundled Python worker, over a real socket.
@Suite(.serialized) struct ObservabilityIntegrationTests {
  /// The value of one sample line (`name{labels} value`) whose name and labels contain all of `parts`.
  static func sample(_ text: String, _ name: String, _ parts: [String] = []) -> Double? {
    for line in text.split(separator: "\n") where line.hasPrefix(name + "{") || line.hasPrefix(name + " ") {
      guard parts.allSatisfy({ line.contains($0) }), let value = line.split(separator: " ").last else { continue }
      return Double(value)
    }
    return nil
  }

  static let app: [String: (functionJSON: String, code: String)] = [
    "hello": (
      #"{"bindings": [{"name": "req", "type": "httpTrigger", "direction": "in", "authLevel": "anonymous"}, {"name": "$return", "type": "http", "direction": "out"}]}"#,
      "import azure.functions as func\nimport logging\ndef main(req: func.HttpRequest) -> func.HttpResponse:\n    logging.info('hello log line')\n    if req.params.get('fail'):\n        raise ValueError('asked to fail')\n    return func.HttpResponse('hi')\n"
    ),
    "shout": (
      #"{"bindings": [{"name": "msg", "type": "queueTrigger", "direction": "in", "queueName": "shout-in", "connection": "AzureWebJobsStorage"}, {"name": "$return", "type": "queue", "direction": "out", "queueName": "loud", "connection": "AzureWebJobsStorage"}]}"#,
      "import logging\ndef main(msg: str) -> str:\n    logging.info('shouting ' + msg)\n    return msg.upper()\n"
    ),
  ]

  @Test func metricsCountInvocationsRequestsAndWorkers() async throws {
    let folder = try LiveApplication.writeApp(Self.app)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    try await LiveApplication.with(appFolder: folder, configure: { $0.http = .init(host: "127.0.0.1", port: 0) }) {
      application in
      let port = try #require(try await application.waitUntilReady().httpAddress?.port)
      for _ in 0..<3 {
        let ok = try await RawHTTPClient.send(port: port, path: "/api/hello")
        #expect(ok.status == 200)
      }
      let failed = try await RawHTTPClient.send(port: port, path: "/api/hello?fail=1")
      #expect(failed.status == 500)
      let missing = try await RawHTTPClient.send(port: port, path: "/api/nothing-here")
      #expect(missing.status == 404)

      let scrape = try await RawHTTPClient.send(port: port, path: "/admin/metrics")
      #expect(scrape.status == 200)
      #expect(scrape.header("content-type")?.hasPrefix("text/plain") == true)
      let text = String(decoding: scrape.body, as: UTF8.self)
      let invocations = "functions_invocations_total"
      #expect(Self.sample(text, invocations, [#"function="hello""#, #"outcome="succeeded""#, #"trigger="httpTrigger""#]) == 3)
      #expect(Self.sample(text, invocations, [#"function="hello""#, #"outcome="failed""#]) == 1)
      #expect(Self.sample(text, "functions_invocation_duration_seconds_count", [#"function="hello""#]) == 4)
      #expect(Self.sample(text, "functions_invocations_in_flight") == 0)
      #expect(Self.sample(text, "functions_http_requests_total", [#"status_class="2xx""#]) == 3)
      #expect(Self.sample(text, "functions_http_requests_total", [#"status_class="5xx""#]) == 1)
      #expect(Self.sample(text, "functions_http_requests_total", [#"status_class="4xx""#]) == 1)
      #expect(Self.sample(text, "functions_worker_starts_total") == 1)
      #expect(Self.sample(text, "functions_queue_depth", [#"queue="shout-in""#]) == 0)

      // Run the queue function by hand: 202, then it is counted as a queueTrigger invocation.
      let run = try await RawHTTPClient.send(
        port: port, method: "POST", path: "/admin/functions/shout", headers: ["Content-Type": "application/json"],
        body: Data(#"{"input": "by hand"}"#.utf8))
      #expect(run.status == 202)
      var shouted: Double? = nil
      for _ in 0..<100 where shouted != 1 {
        let again = String(decoding: try await RawHTTPClient.send(port: port, path: "/admin/metrics").body, as: UTF8.self)
        shouted = Self.sample(again, invocations, [#"function="shout""#, #"outcome="succeeded""#, #"trigger="queueTrigger""#])
        if shouted != 1 { try await Task.sleep(for: .milliseconds(100)) }
      }
      #expect(shouted == 1)

      let unknown = try await RawHTTPClient.send(port: port, method: "POST", path: "/admin/functions/nope", body: Data("{}".utf8))
      #expect(unknown.status == 404)
      let badBody = try await RawHTTPClient.send(port: port, method: "POST", path: "/admin/functions/shout", body: Data("[1]".utf8))
      #expect(badBody.status == 400)
      #expect(String(decoding: badBody.body, as: UTF8.self).contains("input"))
    }
  }

  @Test func adminEndpointsNeedTheMasterKeyAlsoAsABearerToken() async throws {
    let folder = try LiveApplication.writeApp(Self.app)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let secrets = FileManager.default.temporaryDirectory.appendingPathComponent("obs-keys-\(UUID().uuidString).json").path
    defer { try? FileManager.default.removeItem(atPath: secrets) }
    try await LiveApplication.with(
      appFolder: folder,
      configure: {
        $0.http = .init(host: "127.0.0.1", port: 0)
        $0.keys = .secretsFile(secrets)
      }
    ) { application in
      let ready = try await application.waitUntilReady()
      let port = try #require(ready.httpAddress?.port)
      let master = try #require(ready.createdKeys.first { $0.description.contains("master") }?.value)
      #expect(try await RawHTTPClient.send(port: port, path: "/admin/metrics").status == 401)
      #expect(try await RawHTTPClient.send(port: port, path: "/admin/dashboard").status == 401)
      #expect(
        try await RawHTTPClient.send(port: port, path: "/admin/metrics", headers: ["Authorization": "Bearer wrong"]).status
          == 401)
      let bearer = try await RawHTTPClient.send(
        port: port, path: "/admin/metrics", headers: ["Authorization": "Bearer \(master)"])
      #expect(bearer.status == 200)
      #expect(try await RawHTTPClient.send(port: port, path: "/admin/metrics", headers: ["x-functions-key": master]).status == 200)
      let page = try await RawHTTPClient.send(port: port, path: "/admin/dashboard?code=\(master)")
      #expect(page.status == 200)
      #expect(String(decoding: page.body, as: UTF8.self).contains("EventSource"))
      #expect(
        try await RawHTTPClient.send(port: port, method: "POST", path: "/admin/functions/shout", body: Data("{}".utf8)).status
          == 401)
    }
  }
}
