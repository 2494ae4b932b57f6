import Logging
import Synchronization

/// A logger at trace level that keeps every record's text (level, message and metadata) in memory.
final class RecordingLogger: Sendable {
  private let lines = Mutex<[String]>([])

  /// Every record so far, as `level message key=value …`.
  var records: [String] { lines.withLock { $0 } }

  /// A logger writing here.
  var logger: Logger {
    var logger = Logger(label: "recording") { _ in Handler(sink: self) }
    logger.logLevel = .trace
    return logger
  }

  fileprivate func append(_ line: String) { lines.withLock { $0.append(line) } }

  private struct Handler: LogHandler {
    let sink: RecordingLogger
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
      get { metadata[key] }
      set { metadata[key] = newValue }
    }
    func log(event: LogEvent) {
      var all = metadata
      if let extra = event.metadata { all.merge(extra) { $1 } }
      let pairs = all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
      sink.append("\(event.level) \(event.message) \(pairs.joined(separator: " "))")
    }
  }
}
