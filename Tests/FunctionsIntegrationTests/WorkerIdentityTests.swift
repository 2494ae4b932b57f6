import FunctionsTestSupport
import Foundation
import FunctionsHostCore
import Testing

/// The bundled worker's id (the only proof that a StartStream comes from the launched process) is not
/// on its command line, which every local user can read, and functions cannot read it either.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct WorkerIdentityTests {
  @Test func theWorkerIDIsNeitherOnTheCommandLineNorVisibleToFunctions() async throws {
    let live = try await LiveHost.start(fixture: "stuck", workers: 1)
    try await live.stoppingAfter {
      let response = try await live.request("GET", "/api/identity")
      #expect(response.status == 200, "\(response.text)")
      let body = try #require(response.json, "\(response.text)")
      let cmdline = try #require(body["cmdline"] as? [String])
      #expect(cmdline.contains("--functions-uri"), "the stock launch arguments are there: \(cmdline)")
      #expect(!cmdline.contains("--workerId") && !cmdline.contains("--functions-worker-id"), "\(cmdline)")
      #expect(body["variable"] is NSNull, "functions cannot read the id: \(body)")
      try await live.stop()
    }
  }
}
