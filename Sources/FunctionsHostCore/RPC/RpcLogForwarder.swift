internal import FunctionsRPC
internal import Logging

/// Writes a worker's RpcLog messages to the host's log, filtered by host.json `logging.logLevel` and
/// tagged with the invocation and function.
struct RpcLogForwarder {
  let logger: Logger
  let policy: LogLevelPolicy

  /// Forwards one line; `function` is the invocation's function, when the line belongs to one.
  func forward(_ log: AzureFunctionsRpcMessages_RpcLog, function: String?) {
    var metadata: Logger.Metadata = [:]
    if !log.invocationID.isEmpty {
      metadata["invocationId"] = "\(log.invocationID)"
      if let function { metadata["function"] = "\(function)" }
    }
    let level = RpcLogLevel(log.level)
    // Level `none` on a line means "no level": shown as information.
    guard policy.allows(level: level == .none ? .information : level, function: function) else { return }
    if !log.category.isEmpty { metadata["category"] = "\(log.category)" }
    var text = log.message
    if log.hasException, !log.exception.message.isEmpty {
      text += text.isEmpty ? log.exception.message : "\n\(log.exception.message)"
      if !log.exception.stackTrace.isEmpty { text += "\n\(log.exception.stackTrace)" }
    }
    logger.log(level: level.swiftLogLevel, "\(text)", metadata: metadata)
  }
}
