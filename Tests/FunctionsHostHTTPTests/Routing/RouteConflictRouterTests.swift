import Foundation
import FunctionsHostCore
import Hummingbird
import HummingbirdTesting
import Testing

@testable import FunctionsHostHTTP

@Suite("HTTP front door: duplicate routes are refused (router)")
struct RouteConflictRouterTests {
  @Test func bothClaimantsAreRefusedAndTheRestIsServed() async throws {
    let stub = StubDispatcher(functions: [
      httpFunction("first", route: "items/{id}", methods: ["get"]),
      httpFunction("second", route: "Items/{key}", methods: ["get", "post"]),
      httpFunction("replace", route: "items/{id}", methods: ["put"]),
      httpFunction("fine"),
    ])
    let recording = RecordingLogger()
    let door = HTTPFrontDoor(dispatcher: stub, logger: recording.logger)
    try await door.makeApplication().test(.router) { client in
      for method in [HTTPRequest.Method.get, .post] {
        try await client.execute(uri: "/api/items/7", method: method) { response in
          #expect(response.status == .internalServerError)
          let body = try #require(
            try JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8))
              as? [String: Any]
          )
          #expect(body["code"] as? String == "routeConflict")
          let message = try #require(body["error"] as? String)
          #expect(message.contains("'first'") && message.contains("'second'"), "\(message)")
          #expect(message.lowercased().contains("route 'api/items/{"), "\(message)")
        }
      }
      try await client.execute(uri: "/api/items/7", method: .put) {
        #expect($0.status == .ok)
        #expect(String(buffer: $0.body) == "ok:replace")
      }
      try await client.execute(uri: "/api/fine", method: .get) { #expect($0.status == .ok) }
    }
    #expect(stub.inputs.map(\.functionName) == ["replace", "fine"])
    #expect(
      recording.records.contains { $0.hasPrefix("error") && $0.contains("duplicate HTTP route") }
    )
  }
}
