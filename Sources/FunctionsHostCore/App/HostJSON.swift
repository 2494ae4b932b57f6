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
  /// Our own section, `functionsHost`: load balancing and queueing.
  public var dispatch = DispatchOptions()
  /// The `extensions` object as written, keyed by lower-cased extension name (`queues`, `blobs`, …), for
  /// the trigger modules that read their own sections.
  public var extensions: [String: JSONValue] = [:]

  /// The `functionsHost` section of host.json.
  public struct DispatchOptions: Sendable, Hashable {
    /// How a worker is chosen for an invocation.
    public enum Strategy: String, Sendable, Hashable {
      /// The worker with the fewest invocations in flight (ties broken at random). The default.
      case leastOutstanding
      /// The stock host's policy, kept for comparison.
      case roundRobin
    }
    /// `loadBalancing`: `leastOutstanding` (default) or `roundRobin`.
    public var strategy: Strategy = .leastOutstanding
    /// `maxConcurrentInvocationsPerWorker`: 0 (default) means no limit.
    public var maxConcurrentPerWorker: Int = 0
    /// `maxQueuedInvocations`: invocations that may wait for a free worker before callers get 503.
    public var maxQueued: Int = 1000
    /// `cancelGracePeriod`: how long a timed-out invocation may run on after InvocationCancel before its
    /// worker is replaced.
    public var cancelGrace: Duration = .seconds(5)
    /// `transport`: `uds` (gRPC over a Unix socket for the bundled worker, TCP for others; the default
    /// when `nil`) or `grpc` (gRPC over TCP for every worker).
    public var transport: FunctionsHost.Transport? = nil

    /// Defaults.
    public init() {}
  }

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
    "managedependency", "aggregator", "customhandler", "languageworkers", "functionshost",
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
            guard let name = level.stringValue, RpcLogLevel(name: name) != nil else {
              throw FunctionsHostError(
                code: .configuration,
                message: "\(file): field 'logging.logLevel.\(category)' is \(level.jsonText); expected one of "
                  + "Trace, Debug, Information, Warning, Error, Critical, None")
            }
            result.logLevels[category] = name
          }
        }
      case "extensions":
        guard let extensionsObject = value.objectValue else {
          throw FunctionsHostError(code: .configuration, message: "\(file): field 'extensions' must be an object")
        }
        for (name, section) in extensionsObject { result.extensions[name.lowercased()] = section }
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
      case "functionshost":
        result.dispatch = try parseDispatch(value, file: file, warnings: &warnings)
      default:
        if !knownTopLevel.contains(key.lowercased()) {
          warnings.append("\(file): unknown field '\(key)' is ignored")
        }
      }
    }
    return (result, warnings)
  }

  private static func parseDispatch(_ value: JSONValue, file: String, warnings: inout [String]) throws -> DispatchOptions {
    guard let object = value.objectValue else {
      throw FunctionsHostError(code: .configuration, message: "\(file): field 'functionsHost' must be an object")
    }
    var options = DispatchOptions()
    for (key, v) in object {
      func bad(_ expected: String) -> FunctionsHostError {
        FunctionsHostError(
          code: .configuration, message: "\(file): field 'functionsHost.\(key)' is \(v.jsonText); expected \(expected)")
      }
      switch key.lowercased() {
      case "loadbalancing":
        switch v.stringValue?.lowercased() {
        case "leastoutstanding": options.strategy = .leastOutstanding
        case "roundrobin": options.strategy = .roundRobin
        default: throw bad("\"leastOutstanding\" or \"roundRobin\"")
        }
      case "maxconcurrentinvocationsperworker":
        guard case .number(let n) = v, n >= 0, n.rounded() == n else { throw bad("a whole number ≥ 0 (0 = no limit)") }
        options.maxConcurrentPerWorker = Int(n)
      case "maxqueuedinvocations":
        guard case .number(let n) = v, n >= 0, n.rounded() == n else { throw bad("a whole number ≥ 0") }
        options.maxQueued = Int(n)
      case "transport":
        guard let t = v.stringValue.flatMap({ FunctionsHost.Transport(rawValue: $0.lowercased()) }) else {
          throw bad("\"grpc\" or \"uds\" (\"uds-raw\", the raw-frame transport, was removed: it was slower)")
        }
        options.transport = t
      case "cancelgraceperiod":
        guard case .limited(let d) = try parseTimeout(v, file: file, field: "functionsHost.\(key)") else {
          throw bad("\"hh:mm:ss\"")
        }
        options.cancelGrace = d
      default:
        warnings.append("\(file): unknown field 'functionsHost.\(key)' is ignored")
      }
    }
    return options
  }

  private static func parseTimeout(_ value: JSONValue, file: String, field: String = "functionTimeout") throws -> FunctionTimeout {
    let bad = FunctionsHostError(
      code: .configuration,
      message: "\(file): field '\(field)' is \(value.jsonText); expected \"hh:mm:ss\" (at least 00:00:01) or -1")
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
