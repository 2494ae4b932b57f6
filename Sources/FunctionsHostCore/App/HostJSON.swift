package import Foundation

/// The settings of `host.json` that the host understands.
public struct HostJSON: Sendable, Hashable {
  /// `version`; must be "2.0".
  public var version: String = "2.0"
  /// `functionTimeout`, or `nil` for the default (30 minutes, as on a dedicated plan); `-1` gives `.infinite`.
  public var functionTimeout: FunctionTimeout? = nil
  /// `extensions.http.routePrefix`; default `api`.
  public var routePrefix: String = "api"
  /// `logging.logLevel`: category (`default`, `Function.<name>`, `Host.*`) → level name.
  public var logLevels: [String: String] = [:]

  /// A function time limit.
  public enum FunctionTimeout: Sendable, Hashable {
    /// No limit.
    case infinite
    /// A limit.
    case limited(Duration)
  }

  /// Defaults, as when there is no host.json.
  public init() {}

  private static let knownTopLevel: Set<String> = [
    "version", "functiontimeout", "logging", "extensions", "extensionbundle", "concurrency",
    "healthmonitor", "singleton", "watchdirectories", "watchfiles", "functions", "retry",
    "managedependency", "aggregator", "customhandler", "languageworkers",
  ]

  /// Parses host.json text. Unknown top-level keys come back as warnings.
  ///
  /// - Throws: ``FunctionsHostError`` `.configuration` naming the file, field and value.
  package static func parse(_ data: Data, file: String) throws -> (HostJSON, warnings: [String]) {
    let root: JSONValue
    do { root = try JSONValue.parse(data) } catch {
      throw FunctionsHostError(
        code: .configuration, message: "\(file): not valid JSON (\(Self.describe(error)))", cause: error)
    }
    guard let object = root.objectValue else {
      throw FunctionsHostError(code: .configuration, message: "\(file): the top level must be a JSON object")
    }
    var result = HostJSON()
    var warnings: [String] = []
    for (key, value) in object {
      switch key.lowercased() {
      case "version":
        guard let v = value.stringValue, v == "2.0" else {
          throw FunctionsHostError(
            code: .configuration,
            message: "\(file): field 'version' is \(value.jsonText); it must be \"2.0\"")
        }
        result.version = v
      case "functiontimeout":
        result.functionTimeout = try parseTimeout(value, file: file)
      case "logging":
        if let levels = value.objectValue?.first(where: { $0.key.lowercased() == "loglevel" })?.value {
          guard let levelsObject = levels.objectValue else {
            throw FunctionsHostError(
              code: .configuration, message: "\(file): field 'logging.logLevel' must be an object")
          }
          for (category, level) in levelsObject {
            guard let name = level.stringValue, LogLevelName.parse(name) != nil else {
              throw FunctionsHostError(
                code: .configuration,
                message: "\(file): field 'logging.logLevel.\(category)' is \(level.jsonText); expected one of "
                  + "Trace, Debug, Information, Warning, Error, Critical, None")
            }
            result.logLevels[category] = name
          }
        }
      case "extensions":
        if let http = value.objectValue?.first(where: { $0.key.lowercased() == "http" })?.value,
          let prefix = http.objectValue?.first(where: { $0.key.lowercased() == "routeprefix" })?.value
        {
          guard let p = prefix.stringValue else {
            throw FunctionsHostError(
              code: .configuration,
              message: "\(file): field 'extensions.http.routePrefix' is \(prefix.jsonText); it must be a string")
          }
          result.routePrefix = p.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        }
      default:
        if !knownTopLevel.contains(key.lowercased()) {
          warnings.append("\(file): unknown field '\(key)' is ignored")
        }
      }
    }
    return (result, warnings)
  }

  private static func parseTimeout(_ value: JSONValue, file: String) throws -> FunctionTimeout {
    let bad = FunctionsHostError(
      code: .configuration,
      message: "\(file): field 'functionTimeout' is \(value.jsonText); expected \"hh:mm:ss\" (at least 00:00:01) or -1")
    if case .number(let n) = value, n == -1 { return .infinite }
    guard let text = value.stringValue else { throw bad }
    if text.trimmingCharacters(in: .whitespaces) == "-1" { return .infinite }
    // [d.]hh:mm:ss[.fff]
    var days = 0.0
    var rest = Substring(text)
    if let dot = rest.firstIndex(of: "."), let colon = rest.firstIndex(of: ":"), dot < colon {
      guard let d = Double(rest[..<dot]) else { throw bad }
      days = d
      rest = rest[rest.index(after: dot)...]
    }
    let parts = rest.split(separator: ":", omittingEmptySubsequences: false)
    guard parts.count == 3, let h = Double(parts[0]), let m = Double(parts[1]), let s = Double(parts[2]),
      h >= 0, m >= 0, m < 60, s >= 0, s < 60
    else { throw bad }
    let seconds = days * 86400 + h * 3600 + m * 60 + s
    guard seconds >= 1 else { throw bad }
    return .limited(.milliseconds(Int64((seconds * 1000).rounded())))
  }

  static func describe(_ error: any Error) -> String {
    let ns = error as NSError
    if let detail = ns.userInfo["NSDebugDescription"] as? String { return detail }
    return ns.localizedDescription
  }
}

/// Level names used by host.json and RpcLog.
package enum LogLevelName {
  /// Parses a .NET log level name (case-insensitive).
  package static func parse(_ name: String) -> Int? {
    switch name.lowercased() {
    case "trace": 0
    case "debug": 1
    case "information", "info": 2
    case "warning", "warn": 3
    case "error": 4
    case "critical": 5
    case "none": 6
    default: nil
    }
  }
}
