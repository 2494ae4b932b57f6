package import Logging

/// host.json `logging.logLevel` applied to worker logs: the most specific category wins
/// (`Function.<name>.User`, `Function.<name>`, `Function`, `default`); the default level is Information,
/// so debug lines are hidden unless asked for.
package struct LogLevelPolicy: Sendable, Hashable {
  private var levels: [String: RpcLogLevel]  // lower-cased category → level

  package init(hostJSONLevels: [String: String] = [:]) {
    var levels: [String: RpcLogLevel] = [:]
    for (category, name) in hostJSONLevels {
      if let level = RpcLogLevel(name: name) { levels[category.lowercased()] = level }
    }
    self.levels = levels
  }

  /// The lowest level shown for a function (its name may be empty for logs outside invocations).
  package func minimumLevel(function: String?) -> RpcLogLevel {
    if let function, !function.isEmpty {
      let f = function.lowercased()
      for key in ["function.\(f).user", "function.\(f)", "function"] {
        if let level = levels[key] { return level }
      }
    }
    return levels["default"] ?? .information
  }

  /// Whether a line at `level` from `function` is shown.
  package func allows(level: RpcLogLevel, function: String?) -> Bool {
    let minimum = minimumLevel(function: function)
    return minimum < .none && level >= minimum
  }

  /// The lowest level any category asks for, for the log handler's own threshold.
  package var lowestLevel: RpcLogLevel { min(levels.values.min() ?? .information, levels["default"] ?? .information) }

  /// `log_categories` for WorkerInitRequest: the host.json categories and their levels.
  package var workerCategories: [String: RpcLogLevel] { levels }
}

extension LogLevelPolicy {
  /// A swift-log level for a level (see ``RpcLogLevel/swiftLogLevel``).
  package static func swiftLevel(_ level: RpcLogLevel) -> Logger.Level { level.swiftLogLevel }
}
