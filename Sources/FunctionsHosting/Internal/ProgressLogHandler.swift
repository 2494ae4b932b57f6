internal import Logging

/// A log handler that passes every message to a callback and then to the handler it wraps, so that
/// the Python environment's progress (pip's output included) reaches `Configuration.onProgress`.
struct ProgressLogHandler: LogHandler {
  var base: any LogHandler
  let progress: @Sendable (String) -> Void

  var metadata: Logger.Metadata {
    get { base.metadata }
    set { base.metadata = newValue }
  }
  var logLevel: Logger.Level {
    get { base.logLevel }
    set { base.logLevel = newValue }
  }

  subscript(metadataKey key: String) -> Logger.Metadata.Value? {
    get { base[metadataKey: key] }
    set { base[metadataKey: key] = newValue }
  }

  func log(
    level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String,
    function: String, line: UInt
  ) {
    if level >= .info { progress(message.description) }
    base.log(
      level: level, message: message, metadata: metadata, source: source, file: file, function: function, line: line)
  }

  /// `logger` with `progress` also receiving its messages; `logger` itself when there is no callback.
  static func logger(_ logger: Logger, progress: (@Sendable (String) -> Void)?) -> Logger {
    guard let progress else { return logger }
    var wrapped = logger
    wrapped.handler = ProgressLogHandler(base: logger.handler, progress: progress)
    return wrapped
  }
}
