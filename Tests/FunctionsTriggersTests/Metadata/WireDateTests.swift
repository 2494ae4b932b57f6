import Foundation
import FunctionsTriggers
import Testing

@Suite("WireDate")
struct WireDateTests {
  @Test(
    "formats UTC with +00:00, six fraction digits only when needed",
    arguments: [
      (1_571_248_711.0, "2019-10-16T17:58:31+00:00"),
      (1_571_248_711.25, "2019-10-16T17:58:31.250000+00:00"),
      (1_571_248_711.000001, "2019-10-16T17:58:31.000001+00:00"),
      (0.0, "1970-01-01T00:00:00+00:00"),
      (-1.0, "1969-12-31T23:59:59+00:00"),
      (951_782_400.0, "2000-02-29T00:00:00+00:00"),
      (32_503_680_000.0, "3000-01-01T00:00:00+00:00"),
      (253_402_300_799.0, "9999-12-31T23:59:59.999999+00:00"),  // past distantFuture (4001): clamped
    ])
  func formats(seconds: Double, expected: String) {
    #expect(WireDate.string(from: Date(timeIntervalSince1970: seconds)) == expected)
  }

  @Test("distantFuture and later clamp to DateTimeOffset.MaxValue cut to six digits")
  func clampsHigh() {
    #expect(WireDate.string(from: .distantFuture) == "9999-12-31T23:59:59.999999+00:00")
    #expect(WireDate.string(from: Date(timeIntervalSince1970: 1e15)) == "9999-12-31T23:59:59.999999+00:00")
  }

  @Test("dates before year 1 clamp to 0001-01-01")
  func clampsLow() {
    #expect(WireDate.string(from: .distantPast) == "0001-01-01T00:00:00+00:00")
  }

  @Test(
    "every form matches one of Python's accepted formats",
    arguments: [1_571_248_711.0, 1_571_248_711.5, 1.0e15, -1.0e13, 1_600_000_000.123456])
  func pythonShape(seconds: Double) {
    let s = WireDate.string(from: Date(timeIntervalSince1970: seconds))
    // %Y-%m-%dT%H:%M:%S+00:00 or %Y-%m-%dT%H:%M:%S.%f+00:00 (%f: 1–6 digits).
    let pattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{6})?\+00:00$/
    #expect(s.wholeMatch(of: pattern) != nil, "\(s)")
  }

  @Test(
    "parses its own output and Z forms back",
    arguments: [
      ("2019-10-16T17:58:31+00:00", 1_571_248_711.0),
      ("2019-10-16T17:58:31.250000+00:00", 1_571_248_711.25),
      ("2019-10-16T17:58:31Z", 1_571_248_711.0),
      ("2019-10-09T17:58:32.2205399Z", 1_570_643_912.2205399),
    ])
  func parses(text: String, seconds: Double) throws {
    let date = try #require(WireDate.date(from: text))
    #expect(abs(date.timeIntervalSince1970 - seconds) < 1e-6)
  }

  @Test("rejects other forms", arguments: ["2019-10-16 17:58:31Z", "2019-10-16T17:58:31+01:00", "2019-02-30T00:00:00Z", ""])
  func rejects(text: String) {
    #expect(WireDate.date(from: text) == nil)
  }
}
