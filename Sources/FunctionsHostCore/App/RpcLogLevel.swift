package import FunctionsRPC
package import Logging

/// A log level in RpcLog's numbering (trace 0 … critical 5, none 6), the scale of host.json
/// `logging.logLevel` and of worker log lines.
package struct RpcLogLevel: Sendable, Hashable, Comparable {
  /// The RpcLog number.
  package var rawValue: Int

  package static let trace = RpcLogLevel(rawValue: 0)
  package static let debug = RpcLogLevel(rawValue: 1)
  package static let information = RpcLogLevel(rawValue: 2)
  package static let warning = RpcLogLevel(rawValue: 3)
  package static let error = RpcLogLevel(rawValue: 4)
  package static let critical = RpcLogLevel(rawValue: 5)
  /// Nothing is shown (as a threshold); no level given (on a line).
  package static let none = RpcLogLevel(rawValue: 6)

  /// A level from its number.
  package init(rawValue: Int) { self.rawValue = rawValue }

  /// A level from a wire value.
  package init(_ level: AzureFunctionsRpcMessages_RpcLog.Level) { self.rawValue = level.rawValue }

  /// Parses a .NET log level name (case-insensitive), as host.json writes them.
  package init?(name: String) {
    switch name.lowercased() {
    case "trace": self = .trace
    case "debug": self = .debug
    case "information", "info": self = .information
    case "warning", "warn": self = .warning
    case "error": self = .error
    case "critical": self = .critical
    case "none": self = .none
    default: return nil
    }
  }

  /// The wire value.
  package var rpcLevel: AzureFunctionsRpcMessages_RpcLog.Level {
    AzureFunctionsRpcMessages_RpcLog.Level(rawValue: rawValue) ?? .information
  }

  /// The swift-log level (the one mapping between the two scales).
  package var swiftLogLevel: Logger.Level {
    switch rawValue {
    case ...0: .trace
    case 1: .debug
    case 2: .info
    case 3: .warning
    case 4: .error
    case 5: .critical
    default: .info
    }
  }

  package static func < (lhs: RpcLogLevel, rhs: RpcLogLevel) -> Bool { lhs.rawValue < rhs.rawValue }
}
