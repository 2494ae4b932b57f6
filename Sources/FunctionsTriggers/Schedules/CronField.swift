/// One field of an NCRONTAB expression: the set of values it allows.
///
/// Grammar of a field (comma-separated list of items):
/// - `*` (every value), `*/n` (every n-th from the minimum);
/// - `a`, `a-b` (inclusive, `a <= b`), `a/n` (from `a` to the maximum, every n-th), `a-b/n`;
/// - values are decimal numbers in the field's range, or, for months and days of the week, English
///   names matched without case: the full name or any prefix of at least three letters (`Jan`,
///   `Janu`, `January`; `Mon`, `Monday`). The docs recommend three letters; NCrontab also takes
///   shorter prefixes (`J` = January), which we reject as ambiguous.
package struct CronField: Sendable, Hashable {
  /// Which field, with its range and names.
  package enum Kind: Int, Sendable, Hashable, CaseIterable {
    /// The six fields, in expression order.
    case second, minute, hour, day, month, dayOfWeek

    /// The smallest allowed value.
    package var min: Int {
      switch self {
      case .day, .month: 1
      default: 0
      }
    }

    /// The largest allowed value (day of week: 6 = Saturday; 7 is not Sunday, as in NCrontab).
    package var max: Int {
      switch self {
      case .second, .minute: 59
      case .hour: 23
      case .day: 31
      case .month: 12
      case .dayOfWeek: 6
      }
    }

    /// The field's name for messages.
    package var name: String {
      switch self {
      case .second: "second"
      case .minute: "minute"
      case .hour: "hour"
      case .day: "day"
      case .month: "month"
      case .dayOfWeek: "day-of-week"
      }
    }

    /// The English names of the values, from ``min``.
    var names: [String] {
      switch self {
      case .month:
        ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"]
      case .dayOfWeek: ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]
      default: []
      }
    }
  }

  /// The field kind.
  package let kind: Kind
  /// Bit `v` is set when value `v` is allowed.
  package let bits: UInt64
  /// The text as written.
  package let text: String

  /// Whether `value` is allowed.
  package func contains(_ value: Int) -> Bool {
    value >= 0 && value < 64 && bits & (1 << UInt64(value)) != 0
  }

  /// The smallest allowed value `>= value`, or `nil`.
  package func next(atOrAfter value: Int) -> Int? {
    guard value <= kind.max else { return nil }
    let from = Swift.max(value, 0)
    let masked = bits & ~((1 << UInt64(from)) - 1)
    return masked == 0 ? nil : masked.trailingZeroBitCount
  }

  /// Whether every value of the range is allowed.
  package var isEvery: Bool { (kind.min...kind.max).allSatisfy(contains) }

  /// Parses one field.
  package static func parse(_ text: String, kind: Kind) throws(TimerScheduleError) -> CronField {
    func fail(_ why: String) -> TimerScheduleError {
      TimerScheduleError(code: .invalidCron, message: "\(kind.name) field '\(text)': \(why)")
    }
    var bits: UInt64 = 0
    for item in text.split(separator: ",", omittingEmptySubsequences: false) {
      guard !item.isEmpty else { throw fail("empty list item") }
      var rangePart = Substring(item)
      var step = 1
      if let slash = item.firstIndex(of: "/") {
        rangePart = item[..<slash]
        let stepText = item[item.index(after: slash)...]
        guard stepText.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(stepText), n >= 1 else {
          throw fail("step '\(stepText)' must be a whole number of at least 1")
        }
        step = n
      }
      var low: Int
      var high: Int
      if rangePart == "*" {
        low = kind.min
        high = kind.max
      } else if let dash = rangePart.firstIndex(of: "-"), dash != rangePart.startIndex {
        low = try value(rangePart[..<dash], kind: kind, fail: fail)
        high = try value(rangePart[rangePart.index(after: dash)...], kind: kind, fail: fail)
        guard low <= high else { throw fail("range \(low)-\(high) runs backwards") }
      } else {
        low = try value(rangePart, kind: kind, fail: fail)
        high = item.contains("/") ? kind.max : low
      }
      var v = low
      while v <= high {
        bits |= 1 << UInt64(v)
        v += step
      }
    }
    return CronField(kind: kind, bits: bits, text: text)
  }

  /// A number or name in the field's range.
  private static func value(
    _ text: Substring, kind: Kind, fail: (String) -> TimerScheduleError
  ) throws(TimerScheduleError) -> Int {
    guard !text.isEmpty else { throw fail("missing value") }
    if text.allSatisfy({ $0.isASCII && $0.isNumber }) {
      guard let v = Int(text), (kind.min...kind.max).contains(v) else {
        throw fail("value \(text) is out of range \(kind.min)-\(kind.max)")
      }
      return v
    }
    let lower = text.lowercased()
    if lower.count >= 3, let i = kind.names.firstIndex(where: { $0.hasPrefix(lower) }) {
      return kind.min + i
    }
    if kind.names.isEmpty {
      throw fail("'\(text)' is not a number in range \(kind.min)-\(kind.max)")
    }
    throw fail(
      "'\(text)' is not a number in range \(kind.min)-\(kind.max) or an English \(kind == .month ? "month" : "day") "
        + "name (full, or at least its first three letters)")
  }
}
