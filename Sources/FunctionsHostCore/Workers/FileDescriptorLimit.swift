#if canImport(Glibc)
  internal import Glibc
#elseif canImport(Darwin)
  internal import Darwin
#endif

/// The process's open-file limit (RLIMIT_NOFILE).
///
/// A host that serves many connections and restarts worker processes must not run out of descriptors
/// at the limit its shell gave it (1,024 on a usual desktop): ``raiseToHardLimit()`` lifts the soft
/// limit to the hard one, once, at start.
package enum FileDescriptorLimit {
  /// The soft and hard limits.
  package struct Limits: Sendable, Hashable {
    /// The limit that applies now.
    package var soft: UInt64
    /// The highest value the soft limit may be raised to.
    package var hard: UInt64
  }

  /// The current limits, or nil when they cannot be read.
  package static func current() -> Limits? {
    var limit = rlimit()
    guard getrlimit(resourceNoFile, &limit) == 0 else { return nil }
    return Limits(soft: UInt64(limit.rlim_cur), hard: UInt64(limit.rlim_max))
  }

  /// Raises the soft limit to the hard limit (on macOS, at most `OPEN_MAX`). Returns the limits before
  /// and after, or nil when they could not be read; `after == before` when nothing changed or the
  /// raise was refused.
  @discardableResult
  package static func raiseToHardLimit() -> (before: Limits, after: Limits)? {
    var limit = rlimit()
    guard getrlimit(resourceNoFile, &limit) == 0 else { return nil }
    let before = Limits(soft: UInt64(limit.rlim_cur), hard: UInt64(limit.rlim_max))
    var target = limit.rlim_max
    #if canImport(Darwin)
      target = min(target, rlim_t(OPEN_MAX))
    #endif
    guard target > limit.rlim_cur else { return (before, before) }
    limit.rlim_cur = target
    guard setrlimit(resourceNoFile, &limit) == 0 else { return (before, before) }
    return (before, current() ?? before)
  }

  #if canImport(Glibc)
    private static var resourceNoFile: __rlimit_resource_t { __rlimit_resource_t(UInt32(RLIMIT_NOFILE.rawValue)) }
  #else
    private static var resourceNoFile: Int32 { RLIMIT_NOFILE }
  #endif
}
