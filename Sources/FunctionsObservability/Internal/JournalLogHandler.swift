internal import Logging

/// Writes to the wrapped handler, and keeps the lines tagged with an invocation id in the journal.
struct JournalLogHandler: LogHandler {
  var inner: any LogHandler
  let journal: InvocationJournal

  var logLevel: Logger.Level {
    get { inner.logLevel }
    set { inner.logLevel = newValue }
  }

  var metadata: Logger.Metadata {
    get { inner.metadata }
    set { inner.metadata = newValue }
  }

  subscript(metadataKey key: String) -> Logger.Metadata.Value? {
    get { inner[metadataKey: key] }
    set { inner[metadataKey: key] = newValue }
  }

  func log(event: LogEvent) {
    inner.log(event: event)
    let id = event.metadata?["invocationId"] ?? event.metadata?["invocation.id"] ?? inner.metadata["invocationId"]
    guard let id else { return }
    journal.log(invocationID: "\(id)", level: event.level.rawValue, message: "\(event.message)")
  }
}
