import Foundation
import FunctionsConformance
import Testing

/// The bundled Python worker passes every scenario of the kit (CI proof for issue 5).
@Suite(.timeLimit(.minutes(3)))
struct PythonWorkerConformanceTests {
  @Test func bundledWorkerPassesEveryScenario() async throws {
    let worker = try await TestWorkers.bundledPython()
    let suite = try ConformanceSuite(configuration: TestWorkers.configuration())
    let report = try await suite.run(worker)
    for result in report.results where result.status != .passed {
      Issue.record("\(result.name): \(result.status.rawValue): \(result.message)")
    }
    #expect(report.results.count == ConformanceSuite.builtInScenarios.count)
    #expect(report.passed)
    // HTTP proxying ran on both transports: the offered Unix socket, and TCP when none is offered.
    #expect(report["http-proxy"]?.message.hasPrefix("Unix socket ") == true, "\(report["http-proxy"]?.message ?? "")")
    #expect(report["http-proxy-tcp"]?.message.hasPrefix("TCP 127.0.0.1:") == true, "\(report["http-proxy-tcp"]?.message ?? "")")
    #expect(report["http-proxy"]?.message.contains("unknown id: 404") == true)
  }

  /// A user app (`--app`) is indexed or scanned, and every function loads; a broken one is reported.
  @Test func userAppScenarioLoadsEveryFunctionAndNamesBrokenOnes() async throws {
    let worker = try await TestWorkers.bundledPython()
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("conformance-user-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: root) }
    let apps = try ConformanceFixtures.materialize(into: root)

    var configuration = TestWorkers.configuration(only: ["user-app"])
    configuration.userApp = apps.decorated
    let decorated = try await ConformanceSuite(configuration: configuration).run(worker)
    #expect(decorated["user-app"]?.status == .passed, "\(decorated["user-app"]?.message ?? "")")

    configuration.userApp = apps.classic  // holds the broken fixture function
    let classic = try await ConformanceSuite(configuration: configuration).run(worker)
    #expect(classic["user-app"]?.status == .failed)
    #expect(classic["user-app"]?.message.contains("broken") == true)
  }
}
