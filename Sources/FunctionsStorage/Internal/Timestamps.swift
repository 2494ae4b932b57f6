package import Foundation

/// Instants and durations as stored: whole microseconds since 1970 in an `INTEGER` column, with
/// `Int64.max` for "never" (a message that does not expire).
package enum Micros {
  /// "Never", e.g. the expiry of a message put with no time to live.
  package static let never = Int64.max

  /// A date as stored.
  package static func of(_ date: Date) -> Int64 {
    let value = (date.timeIntervalSince1970 * 1_000_000).rounded()
    guard value < 9.2e18 else { return never }
    guard value > -9.2e18 else { return Int64.min }
    return Int64(value)
  }

  /// A stored value as a date (`Date.distantFuture` for ``never``).
  package static func date(_ micros: Int64) -> Date {
    micros == never ? .distantFuture : Date(timeIntervalSince1970: Double(micros) / 1_000_000)
  }

  /// A duration in whole microseconds, saturating at ``never``.
  package static func of(_ duration: Duration) -> Int64 {
    let (seconds, attoseconds) = duration.components
    let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000)
    if overflow { return seconds < 0 ? Int64.min : never }
    return saturatingAdd(whole, attoseconds / 1_000_000_000_000)
  }

  /// `instant + duration`, saturating at ``never``.
  package static func saturatingAdd(_ lhs: Int64, _ rhs: Int64) -> Int64 {
    let (sum, overflow) = lhs.addingReportingOverflow(rhs)
    if overflow { return rhs > 0 ? never : Int64.min }
    return sum
  }

  /// A stored difference as a duration.
  package static func duration(_ micros: Int64) -> Duration {
    .microseconds(micros)
  }
}
