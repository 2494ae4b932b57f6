internal import Foundation

/// A process as the kernel knows it: its pid and its start time, so that a liveness check is not fooled
/// by the pid being reused by a new process (which `kill(pid, 0)` is).
package struct ProcessIdentity: Sendable, Hashable, CustomStringConvertible {
  /// The process id.
  package var pid: Int32
  /// Its start time in clock ticks since boot (`/proc/<pid>/stat`, field 22).
  package var startTime: UInt64

  /// The process with this pid now, or nil when there is none.
  package init?(pid: Int32) {
    guard let start = Self.startTime(of: pid) else { return nil }
    self.pid = pid
    self.startTime = start
  }

  /// Whether this very process still exists (a zombie counts as gone).
  package var isAlive: Bool {
    guard let start = Self.startTime(of: pid), start == startTime else { return false }
    return Self.state(of: pid) != "Z"
  }

  package var description: String { "pid \(pid)" }

  private static func fields(of pid: Int32) -> [Substring]? {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
      let close = stat.lastIndex(of: ")")
    else { return nil }
    // Fields after "pid (comm)": state is field 3, starttime field 22.
    return stat[stat.index(after: close)...].split(separator: " ")
  }

  private static func startTime(of pid: Int32) -> UInt64? {
    guard let f = fields(of: pid), f.count > 19 else { return nil }
    return UInt64(f[19])
  }

  private static func state(of pid: Int32) -> Substring? { fields(of: pid)?.first }
}
