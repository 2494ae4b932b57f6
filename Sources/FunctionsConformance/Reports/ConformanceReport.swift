public import Foundation

/// The results of a run: render with ``table``, ``junitXML`` or ``json()``.
///
/// ```swift
/// let report = try await suite.run(worker)
/// try report.json().write(to: URL(fileURLWithPath: "conformance.json"))
/// exit(report.passed ? 0 : 1)
/// ```
public struct ConformanceReport: Sendable, Codable, Hashable {
  /// The worker's name.
  public var worker: String
  /// One result per scenario, in run order.
  public var results: [ScenarioResult]
  /// Total wall time.
  public var seconds: Double

  /// Creates a report.
  public init(worker: String, results: [ScenarioResult], seconds: Double) {
    self.worker = worker
    self.results = results
    self.seconds = seconds
  }

  /// True when no scenario failed (skips are not failures).
  public var passed: Bool { !results.contains { $0.status == .failed } }
  /// The number of results with `status`.
  public func count(_ status: ScenarioResult.Status) -> Int { results.filter { $0.status == status }.count }
  /// The result of the scenario called `name`.
  public subscript(name: String) -> ScenarioResult? { results.first { $0.name == name } }

  /// The report as pretty-printed JSON.
  public func json() throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    return try encoder.encode(self)
  }

  /// A readable table for a terminal.
  public var table: String {
    let width = max(results.map(\.name.count).max() ?? 0, 8)
    var out = "Conformance of \(worker)\n\n"
    out += "  " + "scenario".padding(toLength: width, withPad: " ", startingAt: 0) + "  result    time    detail\n"
    out += "  " + String(repeating: "-", count: width) + "  -------  ------  ------\n"
    for r in results {
      let mark = switch r.status {
      case .passed: "pass   "
      case .failed: "FAIL   "
      case .skipped: "skip   "
      }
      let time = String(format: "%5.1fs", r.seconds)
      let detail = r.message.replacingOccurrences(of: "\n", with: " ")
      out += "  " + r.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  \(mark)  \(time)  \(detail.prefix(160))\n"
    }
    out += "\n\(count(.passed)) passed, \(count(.failed)) failed, \(count(.skipped)) skipped in "
      + String(format: "%.1f s", seconds) + "\n"
    return out
  }

  /// JUnit XML: one `<testsuite>`, one `<testcase>` per scenario (`<failure>` / `<skipped>`).
  public var junitXML: String {
    func esc(_ s: String) -> String {
      var out = ""
      for scalar in s.unicodeScalars {
        switch scalar {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&apos;"
        default:
          if scalar.value < 0x20 && scalar != "\n" && scalar != "\t" { out += " " } else { out.unicodeScalars.append(scalar) }
        }
      }
      return out
    }
    var xml = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"
    xml += #"<testsuites name="functions-conformance" tests="\#(results.count)" failures="\#(count(.failed))" skipped="\#(count(.skipped))" time="\#(String(format: "%.3f", seconds))">"# + "\n"
    xml += #"  <testsuite name="\#(esc(worker))" tests="\#(results.count)" failures="\#(count(.failed))" skipped="\#(count(.skipped))" time="\#(String(format: "%.3f", seconds))">"# + "\n"
    for r in results {
      xml += #"    <testcase classname="conformance" name="\#(esc(r.name))" time="\#(String(format: "%.3f", r.seconds))">"#
      switch r.status {
      case .passed: break
      case .failed: xml += "\n" + #"      <failure message="\#(esc(r.message))">\#(esc(r.summary))</failure>"# + "\n    "
      case .skipped: xml += "\n" + #"      <skipped message="\#(esc(r.message))"/>"# + "\n    "
      }
      xml += "</testcase>\n"
    }
    xml += "  </testsuite>\n</testsuites>\n"
    return xml
  }
}
