import FunctionsTriggers
import Testing

@Suite("NCrontabSchedule parsing")
struct NCrontabParseTests {
  @Test(
    "documented examples parse",
    arguments: [
      "0 */5 * * * *", "0 0 * * * *", "0 0 */2 * * *", "0 0 9-17 * * *", "0 30 9 * * *", "0 30 9 * * 1-5",
      "0 30 9 * Jan Mon", "*/15 * * * * *", "*/5 * * * *", "0 0 0 29 2 *", "5,8,10 * * * * *", "0 0 0 * * SUN",
      "0 0 0 1 january *", "0 0 0 * * Monday", "0 0 0 * * mon-FRI", "0 0 0 * jan-mar *", "0 5/15 * * * *",
      "0 0 1-10/3 * * *", "  0  0 * * *  ", "0\t0 * * * *",
    ])
  func parses(text: String) throws {
    _ = try NCrontabSchedule.parse(text)
  }

  @Test(
    "invalid expressions",
    arguments: [
      "", "*", "* * * *", "* * * * * * *", "60 * * * * *", "0 60 * * * *", "0 0 24 * * *", "0 0 0 0 * *",
      "0 0 0 32 * *", "0 0 0 * 0 *", "0 0 0 * 13 *", "0 0 0 * * 7", "0 0 0 * Foo *", "0 0 0 * * Mo", "0 0 0 * J *",
      "0 0 0 * * Sundays", "0 */0 * * * *", "0 5-1 * * * *", "0 1,,2 * * * *", "0 a * * * *", "0 -1 * * * *",
      "0 ? * * * *", "0 0 0 L * *", "0 */+5 * * * *", "0 1- * * * *",
    ])
  func rejects(text: String) {
    #expect(throws: TimerScheduleError.self) { try NCrontabSchedule.parse(text) }
  }

  @Test("field values")
  func fields() throws {
    let s = try NCrontabSchedule.parse("0 30 9 * Jan Mon")
    #expect(s.hasSeconds)
    #expect((0...59).filter(s.minute.contains) == [30])
    #expect((1...12).filter(s.month.contains) == [1])
    #expect((0...6).filter(s.dayOfWeek.contains) == [1])
    let five = try NCrontabSchedule.parse("*/5 * * * *")
    #expect(!five.hasSeconds)
    #expect((0...59).filter(five.second.contains) == [0])
    #expect((0...59).filter(five.minute.contains) == Array(stride(from: 0, through: 55, by: 5)))
    let steps = try NCrontabSchedule.parse("0 5/15 1-10/3 * * *")
    #expect((0...59).filter(steps.minute.contains) == [5, 20, 35, 50])
    #expect((0...23).filter(steps.hour.contains) == [1, 4, 7, 10])
    let names = try NCrontabSchedule.parse("0 0 0 * FEBRUARY,dec sat")
    #expect((1...12).filter(names.month.contains) == [2, 12])
    #expect((0...6).filter(names.dayOfWeek.contains) == [6])
  }

  @Test("interval or point-in-time, as stock decides it", arguments: [
    ("0 */5 * * * *", true), ("0 0 9-17 * * *", true), ("0 30 9 * * *", false), ("0 0 0 * * *", false),
    ("*/5 * * * *", true), ("30 9 * * *", false), ("0,30 9 * * *", false), ("0 0 * * * *", true),
  ])
  func interval(text: String, expected: Bool) throws {
    #expect(try NCrontabSchedule.parse(text).isInterval == expected)
  }

  @Test("messages name the field")
  func message() {
    #expect {
      try NCrontabSchedule.parse("0 61 * * * *")
    } throws: { "\($0)".contains("minute field '61'") && "\($0)".contains("0-59") }
    #expect { try NCrontabSchedule.parse("* * *") } throws: { "\($0)".contains("has 3 fields") }
  }
}
