package import Foundation

/// A constant-interval timer schedule written as a .NET `TimeSpan` (`TimeSpan.TryParse`, invariant
/// culture).
///
/// Accepted forms (optional surrounding whitespace):
/// - `d` — whole days (`1` = one day);
/// - `hh:mm`, `hh:mm:ss`, `hh:mm:ss.fffffff` (1–7 fraction digits);
/// - `d.hh:mm`, `d.hh:mm:ss[.fffffff]`;
/// - `d:hh:mm:ss[.fffffff]` (four parts);
/// - hours 0–23, minutes and seconds 0–59; **three parts whose first is 24 or more are
///   `d:hh:mm`**, exactly as .NET parses them: `24:00:00` is 24 *days*, not one day. The Functions
///   docs once listed `"24:00:00"` as "every day"; they were corrected to "every 24 days" and now
///   show `"1.00:00:00"` for a daily interval. We follow .NET.
///
/// A negative or zero interval is rejected (.NET parses it; a timer with it would fire without
/// pause).
///
/// ```swift
/// try TimeSpanSchedule.parse("00:05:00").interval  // 300
/// ```
package struct TimeSpanSchedule: Sendable, Hashable, CustomStringConvertible {
  /// The interval in 100-nanosecond ticks (.NET's unit).
  package let ticks: Int64

  /// The interval in seconds.
  package var interval: TimeInterval { Double(ticks) / 10_000_000 }

  /// Creates a schedule of `ticks` (must be positive).
  package init(ticks: Int64) { self.ticks = ticks }

  /// `date + interval` (the listener decides what `date` is).
  package func next(after date: Date) -> Date { date.addingTimeInterval(interval) }

  /// .NET's `TimeSpan.ToString()` ("c" format): `[d.]hh:mm:ss[.fffffff]`.
  package var description: String {
    let days = ticks / 864_000_000_000
    var rest = ticks % 864_000_000_000
    let hours = rest / 36_000_000_000
    rest %= 36_000_000_000
    let minutes = rest / 600_000_000
    rest %= 600_000_000
    let seconds = rest / 10_000_000
    let fraction = rest % 10_000_000
    var out = days > 0 ? "\(days)." : ""
    out += WireDate.pad(Int(hours), 2) + ":" + WireDate.pad(Int(minutes), 2) + ":" + WireDate.pad(Int(seconds), 2)
    if fraction > 0 { out += "." + WireDate.pad(Int(fraction), 7) }
    return out
  }

  /// Parses a TimeSpan.
  package static func parse(_ text: String) throws(TimerScheduleError) -> TimeSpanSchedule {
    func fail(_ why: String) -> TimerScheduleError {
      TimerScheduleError(code: .invalidTimeSpan, message: "'\(text)' is not a TimeSpan: \(why)")
    }
    let s = String(text.trimmingWhitespace)
    guard !s.isEmpty else { throw fail("it is empty") }
    guard !s.hasPrefix("-") else { throw fail("a timer interval must be positive") }
    guard s.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ":" || $0 == ".") }) else {
      throw fail("use [d.]hh:mm[:ss[.fffffff]] or d:hh:mm:ss")
    }
    // Split off the fraction: a '.' after the last ':'.
    var main = Substring(s)
    var fractionTicks: Int64 = 0
    if let lastColon = s.lastIndex(of: ":"), let dot = s[lastColon...].firstIndex(of: ".") {
      let digits = s[s.index(after: dot)...]
      guard (1...7).contains(digits.count), digits.allSatisfy(\.isNumber) else {
        throw fail("the fraction must have 1 to 7 digits")
      }
      fractionTicks = Int64(digits + String(repeating: "0", count: 7 - digits.count))!
      main = s[..<dot]
    }
    var days: Int64 = 0
    var clock = main
    if let dot = main.firstIndex(of: ".") {
      guard let d = Int64(main[..<dot]) else { throw fail("bad day count") }
      days = d
      clock = main[main.index(after: dot)...]
    }
    let parts = clock.split(separator: ":", omittingEmptySubsequences: false)
    // Every part is 1 to 10 digits ("0.0000.00" has a second '.' and no ':' — found by fuzzing).
    let n = parts.compactMap { $0.count <= 10 ? Int64($0) : nil }
    guard n.count == parts.count else { throw fail("each part must be 1 to 10 digits") }
    let hasDayDot = main.contains(".")
    var h: Int64 = 0, m: Int64 = 0, sec: Int64 = 0
    switch (n.count, hasDayDot) {
    case (1, false):
      guard fractionTicks == 0, !s.contains(".") else { throw fail("use [d.]hh:mm[:ss[.fffffff]]") }
      days = n[0]
    case (2, _):
      guard fractionTicks == 0 else { throw fail("a fraction needs seconds") }
      (h, m) = (n[0], n[1])
    case (3, true):
      (h, m, sec) = (n[0], n[1], n[2])
    case (3, false):
      if n[0] <= 23 {
        (h, m, sec) = (n[0], n[1], n[2])
      } else {
        // .NET reads hh ≥ 24 in a three-part value as d:hh:mm.
        guard fractionTicks == 0 else { throw fail("hours must be 0-23") }
        (days, h, m) = (n[0], n[1], n[2])
      }
    case (4, false):
      (days, h, m, sec) = (n[0], n[1], n[2], n[3])
    default:
      throw fail("use [d.]hh:mm[:ss[.fffffff]] or d:hh:mm:ss")
    }
    guard h <= 23 else { throw fail("hours must be 0-23") }
    guard m <= 59 else { throw fail("minutes must be 0-59") }
    guard sec <= 59 else { throw fail("seconds must be 0-59") }
    guard days <= 10_675_199 else { throw fail("more than TimeSpan.MaxValue") }
    let ticks = (((days * 24 + h) * 60 + m) * 60 + sec) * 10_000_000 + fractionTicks
    guard ticks > 0 else { throw fail("a timer interval must be positive") }
    return TimeSpanSchedule(ticks: ticks)
  }
}
