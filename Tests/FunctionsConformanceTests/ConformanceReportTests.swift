import Foundation
import FunctionsConformance
import Testing

struct ConformanceReportTests {
  static let report = ConformanceReport(
    worker: "w<&>",
    results: [
      .init(name: "a", summary: "first", status: .passed, message: "", seconds: 0.5),
      .init(name: "b", summary: "second", status: .failed, message: "bad \"quote\" <tag> & more", seconds: 1),
      .init(name: "c", summary: "third", status: .skipped, message: "not advertised", seconds: 0.1),
    ],
    seconds: 1.6)

  @Test func junitCountsAndEscapes() {
    let xml = Self.report.junitXML
    #expect(xml.contains(#"<testsuite name="w&lt;&amp;&gt;" tests="3" failures="1" skipped="1""#))
    #expect(xml.contains(#"<failure message="bad &quot;quote&quot; &lt;tag&gt; &amp; more">second</failure>"#))
    #expect(xml.contains(#"<skipped message="not advertised"/>"#))
    #expect(xml.components(separatedBy: "<testcase ").count == 4)
  }

  @Test func jsonRoundTrips() throws {
    let data = try Self.report.json()
    let decoded = try JSONDecoder().decode(ConformanceReport.self, from: data)
    #expect(decoded == Self.report)
    #expect(!decoded.passed)
  }

  @Test func tableNamesEveryScenarioAndTotals() {
    let table = Self.report.table
    #expect(table.contains("FAIL"))
    #expect(table.contains("1 passed, 1 failed, 1 skipped"))
  }

  @Test func unknownScenarioNameIsAConfigurationError() {
    #expect(throws: ConformanceError.self) {
      try ConformanceSuite(configuration: .defaults { $0.only = ["no-such-scenario"] })
    }
  }
}

struct WorkerLaunchTests {
  @Test func parsesBothDialectsPreferringFunctionsOnes() throws {
    let launch = try WorkerLaunch(arguments: [
      "--host", "10.0.0.1", "--port", "1", "--workerId", "old", "--requestId", "r-old",
      "--functions-uri", "http://127.0.0.1:5005/", "--functions-worker-id", "new", "--functions-request-id", "r",
      "--functions-grpc-max-message-length", "1024", "--unknown", "x",
    ])
    #expect(launch == WorkerLaunch(host: "127.0.0.1", port: 5005, workerID: "new", requestID: "r", maxMessageLength: 1024))
  }

  @Test func missingWorkerIDIsAnError() {
    #expect(throws: ConformanceError.self) { try WorkerLaunch(arguments: ["--host", "h", "--port", "1"]) }
  }
}
