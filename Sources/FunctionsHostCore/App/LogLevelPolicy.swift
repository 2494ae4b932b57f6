package import Logging

/// host.json `logging.logLevel` applied to worker logs: the most specific category wins
/// (`Function.<name>.User`, `Function.<name>`, `Function`, `default`); the default level is Information,
/// so debug lines are hidden unless asked for.
package struct LogLevelPolicy: Sendable, Hashable {
  private var levels: [String: Int]  // lower-cased category → RpcLog level number (0 trace … 6 none)

  package init(hostJSONLevels: [String: String] = [:]) {
    var levels: [String: Int] = [:]
    for (category, name) in hostJSONLevels {
      if let level = LogLevelName.parse(name) { levels[category.lowercased()] = level }
    }
    self.levels = levels
  }

  /// The lowest RpcLog level shown for a function (its name may be empty for logs outside invocations).
  package func minimumLevel(function: String?) -> Int {
    if let function, !function.isEmpty {
      let f = function.lowercased()
      for key in ["function.\(f).user", "function.\(f)", "function"] {
        if let level = levels[key] { return level }
      }
    }
    return levels["default"] ?? 2
  }

  /// Whether a line at `level` (RpcLog numbering) from `function` is shown.
  package func allows(level: Int, function: String?) -> Bool {
    let minimum = minimumLevel(function: function)
    return minimum < 6 && level >= minimum
  }

  /// The lowest level any category asks for, for the log handler's own threshold.
  package var lowestLevel: Int { min(levels.values.min() ?? 2, levels["default"] ?? 2) }

  /// `log_categories` for WorkerInitRequest: the host.json categories as RpcLog levels.
  package var workerCategories: [String: Int] {
    var out: [String: Int] = [:]
    for (k, v) in levels { out[k] = v }
    return out
  }
}

extension LogLevelPolicy {
  /// A swift-log level for an RpcLog level number.
  package static func swiftLevel(_ level: Int) -> Logger.Level {
    switch level {
    case 0: .trace
    case 1: .debug
    case 2: .info
    case 3: .warning
    case 4: .error
    default: .critical
    }
  }
}
