package import Foundation

extension NCrontabSchedule {
  /// The first occurrence strictly after `date`, on the wall clock of `timeZone`; `nil` when there is
  /// none in the next 400 years (e.g. `0 0 0 30 2 *`).
  ///
  /// The search is field by field (month, then day, hour, minute, second), never second by second.
  ///
  /// Daylight saving, as the stock `CronSchedule` does it:
  /// - **Gap (spring forward).** A wall time that does not exist that day fires at the instant it
  ///   would have had with the offset before the transition, i.e. later by the gap length
  ///   (02:30 on a 02:00→03:00 night fires at 03:30 summer time). Occurrences are never lost and never
  ///   doubled: after that run the search continues from 03:30 wall time.
  /// - **Overlap (fall back).** A point-in-time schedule (see ``isInterval``) fires once, in the first
  ///   (summer-time) copy of the repeated hour. An interval schedule fires in both copies
  ///   (every 30 min: 01:00+02, 01:30+02, 01:00+01, 01:30+01, 02:00+01, …).
  package func next(after date: Date, in timeZone: TimeZone) -> Date? {
    let zone = ZoneClock(timeZone)
    let after = date.timeIntervalSince1970
    guard after.isFinite, abs(after) < 2.5e11 else { return nil }
    let afterFloor = Int64(after.rounded(.down))
    let wall0 = afterFloor + Int64(zone.offset(atInstant: afterFloor))
    var best: Int64?

    // Forward from the wall time of `date`.
    var cursor = wall0
    for _ in 0..<10_000 {
      guard let candidate = nextWall(after: cursor) else { break }
      let mapping = zone.instants(ofWall: candidate)
      if let first = mapping.first, Double(first) > after {
        best = first
        break
      }
      if let second = mapping.second, isInterval, Double(second) > after {
        best = second
        break
      }
      // A point-in-time occurrence whose first copy is already past: skip the repeated copy.
      cursor = candidate
    }

    // `date` in the first copy of a repeated hour: an interval schedule also fires in the second copy.
    if isInterval, let repeated = zone.instants(ofWall: wall0).second, Double(repeated) > after {
      let overlap = repeated - (zone.instants(ofWall: wall0).first ?? repeated)
      let start = zone.firstAmbiguousWall(in: (wall0 - overlap)...wall0)
      if let candidate = firstWall(atOrAfter: start), candidate <= wall0,
        let second = zone.instants(ofWall: candidate).second, Double(second) > after
      {
        best = min(best ?? second, second)
      }
    }
    return best.map { Date(timeIntervalSince1970: Double($0)) }
  }

  /// The first matching wall time (seconds since 1970 on the wall clock) strictly after `wall`.
  func nextWall(after wall: Int64) -> Int64? {
    firstWall(atOrAfter: wall + 1)
  }

  /// The first matching wall time at or after `wall`.
  func firstWall(atOrAfter wall: Int64) -> Int64? {
    let start = CivilTime(secondsSince1970: wall)
    let limit = Swift.min(start.year + 400, 9999)
    var y = start.year, mo = start.month, d = start.day, h = start.hour, mi = start.minute, s = start.second
    func reset(from level: Int) {
      if level <= 0 { d = 1 }
      if level <= 1 { h = 0 }
      if level <= 2 { mi = 0 }
      if level <= 3 { s = 0 }
    }
    while y <= limit {
      guard let m2 = month.next(atOrAfter: mo) else {
        y += 1
        mo = 1
        reset(from: 0)
        continue
      }
      if m2 != mo {
        mo = m2
        reset(from: 0)
      }
      let length = CivilTime.daysInMonth(year: y, month: mo)
      var dd = d
      while dd <= length, !(day.contains(dd) && dayOfWeek.contains(CivilTime.weekday(year: y, month: mo, day: dd))) {
        dd += 1
      }
      if dd > length {
        mo += 1
        reset(from: 0)
        continue
      }
      if dd != d {
        d = dd
        reset(from: 1)
      }
      guard let h2 = hour.next(atOrAfter: h) else {
        d += 1
        reset(from: 1)
        continue
      }
      if h2 != h {
        h = h2
        reset(from: 2)
      }
      guard let m3 = minute.next(atOrAfter: mi) else {
        h += 1
        reset(from: 2)
        continue
      }
      if m3 != mi {
        mi = m3
        reset(from: 3)
      }
      guard let s2 = second.next(atOrAfter: s) else {
        mi += 1
        reset(from: 3)
        continue
      }
      return CivilTime(year: y, month: mo, day: d, hour: h, minute: mi, second: s2).secondsSince1970
    }
    return nil
  }
}

/// Wall clock ↔ instant for one time zone, in whole seconds.
struct ZoneClock {
  let zone: TimeZone

  init(_ zone: TimeZone) { self.zone = zone }

  /// The zone's offset from UTC at an instant.
  func offset(atInstant t: Int64) -> Int {
    zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(t)))
  }

  /// The instants showing wall time `w`: one (normal), two (`first < second`, a repeated hour) or, in
  /// a gap, `first` = the instant `w` would have had with the offset before the transition and
  /// `second` = nil.
  func instants(ofWall w: Int64) -> (first: Int64?, second: Int64?) {
    let offsets = Set([offset(atInstant: w - 86_400), offset(atInstant: w), offset(atInstant: w + 86_400)])
    let valid = offsets.map { w - Int64($0) }.filter { Int64(offset(atInstant: $0)) == w - $0 }.sorted()
    switch valid.count {
    case 0: return (w - Int64(offsets.min()!), nil)
    case 1: return (valid[0], nil)
    default: return (valid.first!, valid.last!)
    }
  }

  /// The first wall time of `range` that is repeated (has two instants), for a range whose repeated
  /// part is a suffix; `range.upperBound` when only it is.
  func firstAmbiguousWall(in range: ClosedRange<Int64>) -> Int64 {
    var low = range.lowerBound
    var high = range.upperBound
    while low < high {
      let mid = low + (high - low) / 2
      if instants(ofWall: mid).second != nil { high = mid } else { low = mid + 1 }
    }
    return low
  }
}
