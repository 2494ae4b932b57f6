internal import Foundation
internal import Logging

/// One JSON object per line on stderr, for log shippers: `time` (ISO 8601, UTC, milliseconds), `level`,
/// `message`, `category` (the logger's label unless the metadata names one), and `function`,
/// `invocationId`, `worker` and any other metadata as string fields. Secrets are redacted
/// (``LogRedaction``).
struct JSONLogHandler: LogHandler {
  var logLevel: Logger.Level
  var metadata: Logger.Metadata = [:]
  let label: String

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
    FileHandle.standardError.write(Data((Self.line(event: event, metadata: all, label: label) + "\n").utf8))
  }

  /// The JSON line of one event.
  static func line(event: LogEvent, metadata: Logger.Metadata, label: String) -> String {
    var all = metadata
    // The two spellings of the invocation id become one field.
    if let id = all.removeValue(forKey: "invocation.id"), all["invocationId"] == nil { all["invocationId"] = id }
    var line = "{\"time\":\(quote(timestamp())),\"level\":\(quote(event.level.rawValue))"
    line += ",\"message\":\(quote(LogRedaction.redact("\(event.message)")))"
    let category = all.removeValue(forKey: "category").map { "\($0)" } ?? label
    line += ",\"category\":\(quote(category))"
    for key in ["function", "invocationId", "worker"] {
      if let value = all.removeValue(forKey: key) { line += ",\(quote(key)):\(quote(LogRedaction.redact("\(value)")))" }
    }
    for (key, value) in all.sorted(by: { $0.key < $1.key }) {
      line += ",\(quote(key)):\(quote(LogRedaction.redact("\(value)")))"
    }
    return line + "}"
  }

  /// A JSON string literal.
  static func quote(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case let s where s.value < 0x20: out += String(format: "\\u%04x", s.value)
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out + "\""
  }

  private static func timestamp() -> String {
    var tv = timeval()
    gettimeofday(&tv, nil)
    var t = time_t(tv.tv_sec)
    var parts = tm()
    gmtime_r(&t, &parts)
    return String(
      format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
      parts.tm_hour, parts.tm_min, parts.tm_sec, Int(tv.tv_usec / 1000))
  }
}
