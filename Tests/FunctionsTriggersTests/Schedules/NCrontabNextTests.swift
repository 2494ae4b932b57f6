import Foundation
@testable import FunctionsTriggers
import Testing

/// `yyyy-MM-ddTHH:mm:ssZ` → Date.
func utc(_ text: String) -> Date {
  WireDate.date(from: text)!
}

@Suite("NCrontabSchedule.next")
struct NCrontabNextTests {
  static let utcZone = TimeZone(identifier: "UTC")!

  @Test(
    "documented examples (UTC)",
    arguments: [
      ("0 */5 * * * *", "2024-03-10T10:02:13Z", "2024-03-10T10:05:00Z"),
      ("0 */5 * * * *", "2024-03-10T10:05:00Z", "2024-03-10T10:10:00Z"),
      ("0 0 * * * *", "2024-03-10T10:00:00Z", "2024-03-10T11:00:00Z"),
      ("0 0 */2 * * *", "2024-03-10T11:00:00Z", "2024-03-10T12:00:00Z"),
      ("0 0 9-17 * * *", "2024-03-10T17:00:00Z", "2024-03-11T09:00:00Z"),
      ("0 30 9 * * *", "2024-03-10T09:30:00Z", "2024-03-11T09:30:00Z"),
      ("0 30 9 * * 1-5", "2024-03-08T10:00:00Z", "2024-03-11T09:30:00Z"),  // Friday → Monday
      ("0 30 9 * Jan Mon", "2024-01-30T00:00:00Z", "2025-01-06T09:30:00Z"),
      ("*/15 * * * * *", "2024-03-10T10:00:14.5Z", "2024-03-10T10:00:15Z"),
      ("*/5 * * * *", "2024-03-10T10:04:59Z", "2024-03-10T10:05:00Z"),
      ("0 0 0 29 2 *", "2024-03-01T00:00:00Z", "2028-02-29T00:00:00Z"),
      ("0 0 0 29 2 *", "2099-03-01T00:00:00Z", "2104-02-29T00:00:00Z"),  // 2100 is not a leap year
      ("0 0 0 31 * *", "2024-01-31T00:00:00Z", "2024-03-31T00:00:00Z"),
      ("0 0 0 13 * Fri", "2024-01-01T00:00:00Z", "2024-09-13T00:00:00Z"),  // AND, not OR
      ("59 59 23 31 12 *", "2024-12-31T23:59:59Z", "2025-12-31T23:59:59Z"),
      ("0 0 0 * * 0", "2024-03-09T12:00:00Z", "2024-03-10T00:00:00Z"),  // 0 = Sunday
      ("0 0 12 1 * *", "1969-12-15T00:00:00Z", "1970-01-01T12:00:00Z"),
    ])
  func examples(text: String, after: String, expected: String) throws {
    let schedule = try NCrontabSchedule.parse(text)
    #expect(schedule.next(after: utc(after), in: Self.utcZone) == utc(expected))
  }

  @Test("impossible dates have no next occurrence")
  func impossible() throws {
    #expect(try NCrontabSchedule.parse("0 0 0 30 2 *").next(after: utc("2024-01-01T00:00:00Z"), in: Self.utcZone) == nil)
    #expect(try NCrontabSchedule.parse("0 0 0 31 4 *").next(after: utc("2024-01-01T00:00:00Z"), in: Self.utcZone) == nil)
  }

  @Test("a non-UTC zone without DST")
  func fixedZone() throws {
    let tokyo = TimeZone(identifier: "Asia/Tokyo")!
    let s = try NCrontabSchedule.parse("0 30 9 * * *")
    #expect(s.next(after: utc("2024-03-10T00:00:00Z"), in: tokyo) == utc("2024-03-10T00:30:00Z"))  // 09:00 JST
    #expect(s.next(after: utc("2024-03-10T00:30:00Z"), in: tokyo) == utc("2024-03-11T00:30:00Z"))
  }

  static let newYork = TimeZone(identifier: "America/New_York")!

  /// Successive occurrences from `start`.
  static func run(_ text: String, from start: String, count: Int, zone: TimeZone = newYork) throws -> [String] {
    let s = try NCrontabSchedule.parse(text)
    var out: [String] = []
    var t = utc(start)
    for _ in 0..<count {
      guard let n = s.next(after: t, in: zone) else { break }
      out.append(WireDate.string(from: n))
      t = n
    }
    return out
  }

  @Test("spring forward: a skipped wall time fires later by the gap, nothing is doubled")
  func springForward() throws {
    // 2024-03-10 02:00 EST → 03:00 EDT (07:00Z).
    #expect(
      try Self.run("0 30 2 * * *", from: "2024-03-09T12:00:00Z", count: 3) == [
        "2024-03-10T07:30:00+00:00",  // 02:30 EST ≡ 03:30 EDT
        "2024-03-11T06:30:00+00:00",  // 02:30 EDT
        "2024-03-12T06:30:00+00:00",
      ])
    #expect(
      try Self.run("0 */30 * * * *", from: "2024-03-10T06:00:00Z", count: 4) == [
        "2024-03-10T06:30:00+00:00",  // 01:30 EST
        "2024-03-10T07:00:00+00:00",  // 02:00 (missing) → 03:00 EDT
        "2024-03-10T07:30:00+00:00",  // 03:30 EDT
        "2024-03-10T08:00:00+00:00",
      ])
  }

  @Test("fall back: a point-in-time schedule runs once, in the first copy")
  func fallBackPointInTime() throws {
    // 2024-11-03 02:00 EDT → 01:00 EST (06:00Z); 01:30 happens at 05:30Z and 06:30Z.
    #expect(
      try Self.run("0 30 1 * * *", from: "2024-11-02T12:00:00Z", count: 3) == [
        "2024-11-03T05:30:00+00:00", "2024-11-04T06:30:00+00:00", "2024-11-05T06:30:00+00:00",
      ])
    // Started during the second copy: the repeated 01:30 is skipped.
    #expect(try Self.run("0 30 1 * * *", from: "2024-11-03T06:10:00Z", count: 1) == ["2024-11-04T06:30:00+00:00"])
  }

  @Test("fall back: an interval schedule runs through both copies")
  func fallBackInterval() throws {
    #expect(
      try Self.run("0 */30 * * * *", from: "2024-11-03T04:40:00Z", count: 6) == [
        "2024-11-03T05:00:00+00:00",  // 01:00 EDT
        "2024-11-03T05:30:00+00:00",  // 01:30 EDT
        "2024-11-03T06:00:00+00:00",  // 01:00 EST
        "2024-11-03T06:30:00+00:00",  // 01:30 EST
        "2024-11-03T07:00:00+00:00",  // 02:00 EST
        "2024-11-03T07:30:00+00:00",
      ])
    // From inside the first copy, after its last match: next is the second copy's first match.
    #expect(try Self.run("0 0 * * * *", from: "2024-11-03T05:10:00Z", count: 2) == [
      "2024-11-03T06:00:00+00:00", "2024-11-03T07:00:00+00:00",
    ])
  }

  static let lordHoweZone = TimeZone(identifier: "Australia/Lord_Howe")!

  @Test("Lord Howe: a 30-minute DST shift")
  func lordHowe() throws {
    // 2024-10-06 02:00 +10:30 → 02:30 +11:00 (2024-10-05T15:30Z).
    let zone = TimeZone(identifier: "Australia/Lord_Howe")!
    #expect(
      try Self.run("0 15 2 * * *", from: "2024-10-05T12:00:00Z", count: 2, zone: zone) == [
        "2024-10-05T15:45:00+00:00",  // 02:15 missing → 02:45 +11:00
        "2024-10-06T15:15:00+00:00",
      ])
  }

  /// Expressions cross-checked against a naive reference.
  static let table = [
    "0 */5 * * * *", "0 0 * * * *", "0 0 */2 * * *", "0 0 9-17 * * *", "0 30 9 * * *", "0 30 9 * * 1-5",
    "0 30 9 * Jan Mon", "*/5 * * * *", "0 0 0 29 2 *", "0 3-5 */7 * * *", "0 0 12 13 * Fri",
    "0 59 23 31 * *", "0 0 0 1 */3 *", "0 15 2 * * 0,6", "0 0 0 * Feb *",
  ]

  @Test("matches a naive minute-by-minute search over two years (UTC)", arguments: table)
  func bruteForceUTC(text: String) throws {
    let s = try NCrontabSchedule.parse(text)
    Self.crossCheck(s, from: utc("2023-12-25T00:00:00Z"), until: utc("2025-12-31T00:00:00Z"), zone: Self.utcZone)
  }

  @Test("matches a naive search across DST transitions (New York, Lord Howe)", arguments: [
    "0 0 * * * *", "0 */30 * * * *", "0 30 9 * * 1-5", "0 15 1 * * *", "0 45 2 * * *", "0 0 0 * * *",
    "0 */20 1-2 * * *", "0 10,40 1,2 * * *",
  ])
  func bruteForceNewYork(text: String) throws {
    let s = try NCrontabSchedule.parse(text)
    Self.crossCheck(s, from: utc("2024-10-20T00:00:00Z"), until: utc("2024-11-10T00:00:00Z"), zone: Self.newYork)
    Self.crossCheck(s, from: utc("2024-03-01T00:00:00Z"), until: utc("2024-03-20T00:00:00Z"), zone: Self.newYork)
    Self.crossCheck(s, from: utc("2024-09-25T00:00:00Z"), until: utc("2024-10-15T00:00:00Z"), zone: Self.lordHoweZone)
  }

  @Test("second-level expressions match a second-by-second search over a day", arguments: [
    "*/15 * * * * *", "5,50 */7 * * * *", "0-10/5 0 0-3 * * *", "7,13 3-5 */7 * * *", "30 59 23 * * *",
  ])
  func bruteForceSeconds(text: String) throws {
    let s = try NCrontabSchedule.parse(text)
    Self.crossCheck(s, from: utc("2024-02-28T22:00:00Z"), until: utc("2024-03-01T02:00:00Z"), zone: Self.utcZone, step: 1)
    Self.crossCheck(s, from: utc("2024-11-03T04:00:00Z"), until: utc("2024-11-03T08:00:00Z"), zone: Self.newYork, step: 1)
  }

  /// Compares `next` with an independent reference at many instants of `[from, until)`.
  ///
  /// The reference walks the wall clock every `step` seconds, collects every matching wall time,
  /// and defines the next occurrence after `t` as the earliest eligible instant among them: a normal
  /// wall time's instant if it is after `t`; a repeated wall time's first instant if after `t`, and
  /// (interval schedules only) its second instant if after `t`; a skipped (gap) wall time, read with
  /// the offset before the transition, if the wall time itself is after the wall time of `t`.
  static func crossCheck(_ s: NCrontabSchedule, from: Date, until: Date, zone: TimeZone, step: Int64 = 60) {
    let clock = ZoneClock(zone)
    let start = Int64(from.timeIntervalSince1970)
    let end = Int64(until.timeIntervalSince1970)
    struct Match { var wall: Int64; var first: Int64?; var second: Int64?; var gap: Bool }
    var matches: [Match] = []
    var w = start - 86_400
    w -= ((w % step) + step) % step
    while w <= end + 3 * 86_400 {
      let c = CivilTime(secondsSince1970: w)
      if s.second.contains(c.second), s.minute.contains(c.minute), s.hour.contains(c.hour), s.day.contains(c.day),
        s.month.contains(c.month), s.dayOfWeek.contains(CivilTime.weekday(year: c.year, month: c.month, day: c.day))
      {
        let m = clock.instants(ofWall: w)
        let gap = m.first.map { Int64(clock.offset(atInstant: $0)) != w - $0 } ?? true
        matches.append(Match(wall: w, first: m.first, second: m.second, gap: gap))
      }
      w += step
    }
    func reference(after t: Int64) -> Int64? {
      let wallT = t + Int64(clock.offset(atInstant: t))
      var best: Int64?
      var bestWall: Int64?
      var lo = 0, hi = matches.count
      while lo < hi {
        let mid = (lo + hi) / 2
        if matches[mid].wall < wallT - 4 * 3600 { lo = mid + 1 } else { hi = mid }
      }
      for m in matches[lo...] {
        if let bw = bestWall, m.wall > bw + 4 * 3600 { break }
        var candidates: [Int64] = []
        if m.gap {
          if m.wall > wallT, let f = m.first { candidates.append(f) }
        } else {
          if let f = m.first, f > t { candidates.append(f) }
          if s.isInterval, let sec = m.second, sec > t { candidates.append(sec) }
        }
        if let c = candidates.min(), c < (best ?? .max) {
          best = c
          bestWall = min(bestWall ?? m.wall, m.wall)
        }
      }
      return best
    }
    // Check points: a regular grid, plus the instants at and around reference occurrences.
    var points: [Int64] = []
    let gridStep = max((end - start) / 2000, 1)
    var t = start
    while t < end { points.append(t); t += gridStep }
    let around = matches.compactMap(\.first).filter { $0 >= start && $0 < end }
    let stride = max(around.count / 500, 1)
    for (i, o) in around.enumerated() where i % stride == 0 { points += [o - 1, o, o + 1] }
    var checks = 0
    for t in points {
      guard let expected = reference(after: t), expected < end + 2 * 86_400 else { continue }
      let actual = s.next(after: Date(timeIntervalSince1970: Double(t)), in: zone).map { Int64($0.timeIntervalSince1970) }
      if actual != expected {
        let got = actual.map { WireDate.string(from: Date(timeIntervalSince1970: Double($0))) } ?? "nil"
        let want = WireDate.string(from: Date(timeIntervalSince1970: Double(expected)))
        let at = WireDate.string(from: Date(timeIntervalSince1970: Double(t)))
        Issue.record("'\(s)' in \(zone.identifier) after \(at): got \(got), expected \(want)")
        return
      }
      checks += 1
    }
    #expect(checks > 100)
  }
}
