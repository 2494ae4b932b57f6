package import Logging
package import Subprocess
#if canImport(Glibc)
  internal import Glibc
#endif

/// How a worker process ended, in words; and how its stderr lines are classified.
package enum WorkerExit {
  /// A sentence about how a worker process ended.
  package static func describe(_ status: TerminationStatus, slot: Int, pid: Int32, stderrTail: [String]) -> String {
    var text: String
    switch status {
    case .exited(let code):
      text = "worker \(slot) (pid \(pid)) exited with code \(code)"
      if code == 137 { text += " (killed, often by the out-of-memory killer)" }
      if code == 143 { text += " (terminated by SIGTERM)" }
    case .signaled(let signal):
      text = "worker \(slot) (pid \(pid)) was killed by signal \(signal)"
      if signal == SIGKILL { text += " (SIGKILL: out-of-memory killer or kill -9)" }
      if signal == SIGTERM { text += " (SIGTERM)" }
    @unknown default:
      text = "worker \(slot) (pid \(pid)) ended: \(status)"
    }
    if !stderrTail.isEmpty { text += "; last stderr lines: " + stderrTail.joined(separator: " | ") }
    return text
  }

  /// How the stock host classifies a worker's stderr line.
  package static func stderrLevel(_ line: String) -> Logger.Level {
    let lower = line.lowercased()
    if lower.contains("error") || lower.contains("fail") || lower.contains("severe")
      || lower.contains("unhandled exception") || lower.contains("traceback")
    {
      return .error
    }
    if lower.contains("warn") { return .warning }
    return .info
  }
}
