internal import Foundation
internal import FunctionsHostCore
internal import Logging
internal import Synchronization

/// A compact, human-readable log line on stderr: `HH:MM:SS.mmm level [worker 0] message key=value`;
/// the level is coloured when stderr is a terminal; secrets are redacted (``LogRedaction``).
///
/// Log lines carry values the host does not control (worker ids and invocation ids sent by any local
/// process, function names and paths from the app's files, header values): metadata is escaped with
/// ``LogSafe/escape(_:)`` and the message with ``LogSafe/message(_:)``, so that no value can forge a log
/// line or send terminal escape codes.
struct ConsoleLogHandler: LogHandler {
  var logLevel: Logger.Level
  var metadata: Logger.Metadata = [:]
  let label: String
  /// Whether stderr is a terminal (then levels are coloured, as `func start` does).
  static let colour = isatty(STDERR_FILENO) != 0

  init(label: String, level: Logger.Level) {
    self.label = label
    self.logLevel = level
  }

  subscript(metadataKey key: String) -> Logger.Metadata.Value? {
    get { metadata[key] }
    set { metadata[key] = newValue }
  }

  func log(event: LogEvent) {
    var all = metadata
    if let extra = event.metadata { all.merge(extra) { $1 } }
    var line = Self.timestamp()
    line += " " + (Self.colour ? Self.coloured(event.level) : Self.tag(event.level))
    if let worker = all.removeValue(forKey: "worker") { line += " [worker \(LogSafe.escape("\(worker)"))]" }
    if let function = all.removeValue(forKey: "function") { line += " [\(LogSafe.escape("\(function)"))]" }
    line += " \(LogSafe.message(LogRedaction.redact("\(event.message)")))"
    if !all.isEmpty {
      line +=
        " "
        + all.sorted { $0.key < $1.key }
        .map { "\(LogSafe.escape($0.key))=\(LogSafe.escape(LogRedaction.redact("\($0.value)")))" }
        .joined(separator: " ")
    }
    line += "\n"
    FileHandle.standardError.write(Data(line.utf8))
  }

  private static func tag(_ level: Logger.Level) -> String {
    switch level {
    case .trace: "trace"
    case .debug: "debug"
    case .info: "info "
    case .notice: "note "
    case .warning: "WARN "
    case .error: "ERROR"
    case .critical: "CRIT "
    }
  }

  private static func coloured(_ level: Logger.Level) -> String {
    let code: String
    switch level {
    case .trace, .debug: code = "2"
    case .info, .notice: code = "32"
    case .warning: code = "33"
    case .error, .critical: code = "31;1"
    }
    return "\u{1B}[\(code)m\(tag(level))\u{1B}[0m"
  }

  private static func timestamp() -> String {
    var tv = timeval()
    gettimeofday(&tv, nil)
    var t = time_t(tv.tv_sec)
    var parts = tm()
    localtime_r(&t, &parts)
    return String(format: "%02d:%02d:%02d.%03d", parts.tm_hour, parts.tm_min, parts.tm_sec, Int(tv.tv_usec / 1000))
  }
}
