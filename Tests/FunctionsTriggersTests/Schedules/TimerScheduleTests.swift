import Foundation
import FunctionsTriggers
import Testing

@Suite("TimeSpanSchedule")
struct TimeSpanScheduleTests {
  @Test(
    ".NET TimeSpan forms",
    arguments: [
      ("01:00:00", 3600.0), ("00:01:00", 60), ("00:00:30", 30), ("1.00:00:00", 86_400), ("02:30", 9000),
      ("00:00:00.5", 0.5), ("00:00:01.1234567", 1.1234567), ("1.02:03:04.5", 93_784.5), ("1.02:03", 93_780),
      ("25:00:00:00", 25 * 86_400), ("1:02:03:04", 93_784), ("24:00:00", 24 * 86_400), ("7", 7 * 86_400),
      ("  00:05:00  ", 300), ("23:59:59", 86_399),
    ] as [(String, Double)])
  func parses(text: String, seconds: Double) throws {
    #expect(abs(try TimeSpanSchedule.parse(text).interval - seconds) < 1e-9)
  }

  @Test(
    "rejects",
    arguments: [
      "", "abc", "-01:00:00", "00:00:00", "0", "24:00", "00:60:00", "00:00:60", "24:30:00", "1.24:00:00",
      "00:00:00.12345678", "00:00.5", "1:2:3:4:5", "1::00", "01:00:00Z", "1.5",
      // Found by scripts/fuzz-parsers.sh: a second '.' and no ':' used to trap.
      "0.0000.00", "1.2.3", "1..2",
    ])
  func rejects(text: String) {
    #expect(throws: TimerScheduleError.self) { try TimeSpanSchedule.parse(text) }
  }

  @Test("next is after + interval, description is .NET's", arguments: [
    ("01:00:00", "01:00:00"), ("1.00:00:00", "1.00:00:00"), ("00:00:00.5", "00:00:00.5000000"), ("24:00:00", "24.00:00:00"),
  ])
  func nextAndDescription(text: String, description: String) throws {
    let s = try TimeSpanSchedule.parse(text)
    #expect(s.description == description)
    let t = Date(timeIntervalSince1970: 1000)
    #expect(s.next(after: t) == t.addingTimeInterval(s.interval))
  }
}

@Suite("TimerSchedule")
struct TimerScheduleTests {
  static let utc = TimeZone(identifier: "UTC")!

  @Test("cron first, then TimeSpan")
  func parseOrder() throws {
    guard case .cron = try TimerSchedule.parse("0 */5 * * * *") else { Issue.record("not cron"); return }
    guard case .interval = try TimerSchedule.parse("00:05:00") else { Issue.record("not interval"); return }
    #expect(try TimerSchedule.parse("0 */5 * * * *").description == "Cron: '0 */5 * * * *'")
    #expect(try TimerSchedule.parse("01:00:00").description == "Constant: 01:00:00")
  }

  @Test("neither: the stock message, with the likelier reason", arguments: [
    ("0 61 * * * *", "minute field '61'"), ("every day", "as cron"), ("25:00", "as a TimeSpan"), ("", "as a TimeSpan"),
  ])
  func unrecognized(text: String, detail: String) {
    #expect {
      try TimerSchedule.parse(text)
    } throws: { error in
      let e = error as? TimerScheduleError
      return e?.code == .unrecognized
        && e!.message.hasPrefix("The schedule expression '\(text)' was not recognized as a valid cron expression or timespan string")
        && e!.message.contains(detail)
    }
  }

  @Test("next for both kinds")
  func next() throws {
    let t = Date(timeIntervalSince1970: 1_710_064_933)  // 2024-03-10T10:02:13Z
    #expect(try TimerSchedule.parse("0 */5 * * * *").next(after: t, in: Self.utc) == Date(timeIntervalSince1970: 1_710_065_100))
    #expect(try TimerSchedule.parse("00:10:00").next(after: t, in: Self.utc) == t.addingTimeInterval(600))
  }

  @Test("the rule that disables useMonitor", arguments: [
    ("*/15 * * * * *", true), ("*/30 * * * * *", true), ("0 * * * * *", false), ("0 */5 * * * *", false),
    ("* * * * *", false), ("0,30 * * * * *", true), ("00:00:59", true), ("00:01:00", false), ("1.00:00:00", false),
    ("0 0 0 30 2 *", false),
  ])
  func monitor(text: String, expected: Bool) throws {
    let t = Date(timeIntervalSince1970: 1_710_064_933)
    #expect(try TimerSchedule.parse(text).firesMoreOftenThanOncePerMinute(after: t, in: Self.utc) == expected)
  }
}
