import Logging
import Synchronization

/// Collects every log message sent through its ``logger``.
final class LogRecorder: Sendable {
  private let storage = Mutex<[String]>([])

  /// A logger at trace level that records into this recorder.
  var logger: Logger {
    var logger = Logger(label: "test") { _ in RecordingLogHandler(recorder: self) }
    logger.logLevel = .trace
    return logger
  }

  /// Every message so far, in order.
  var messages: [String] { storage.withLock { $0 } }

  /// The messages containing `text`.
  func messages(containing text: String) -> [String] {
    messages.filter { $0.contains(text) }
  }

  fileprivate func append(_ message: String) {
    storage.withLock { $0.append(message) }
  }
}

private struct RecordingLogHandler: LogHandler {
  let recorder: LogRecorder
  var logLevel: Logger.Level = .trace
  var metadata: Logger.Metadata = [:]

  subscript(metadataKey key: String) -> Logger.Metadata.Value? {
    get { metadata[key] }
    set { metadata[key] = newValue }
  }

  func log(event: LogEvent) {
    recorder.append(event.message.description)
  }
}
