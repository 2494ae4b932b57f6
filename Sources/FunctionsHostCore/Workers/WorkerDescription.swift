internal import Foundation

/// How to start a language worker: a value the supervisor re-runs on every (re)start.
///
/// ```swift
/// let python = WorkerDescription(executable: "/usr/bin/python3", workerPath: "/cache/worker.py",
///                                workerDirectory: "/cache")
/// let stock = try WorkerDescription.command("python -m azure_functions_worker", workerDirectory: ".")
/// ```
public struct WorkerDescription: Sendable, Hashable {
  /// The executable (absolute path, or a name looked up on `PATH`).
  public var executable: String
  /// Arguments placed before the worker path (`arguments` of worker.config.json).
  public var arguments: [String]
  /// The worker script, if any (`defaultWorkerPath`).
  public var workerPath: String?
  /// Arguments placed after the worker path (`workerArguments`).
  public var workerArguments: [String]
  /// The worker directory (FUNCTIONS_WORKER_DIRECTORY, WorkerInitRequest.worker_directory).
  public var workerDirectory: String
  /// The language, exported as FUNCTIONS_WORKER_RUNTIME when the app does not set it.
  public var language: String
  /// Extra environment for the worker process.
  public var environment: [String: String]
  /// Whether the worker understands `--functions-h2-uds-path` (gRPC over HTTP/2 on a Unix socket). Only
  /// the bundled Python worker does; stock workers always use gRPC over TCP.
  public var supportsUnixSocketTransport: Bool = false
  /// Whether the worker reads its worker id from the environment variable
  /// ``workerIDEnvironmentVariable`` instead of the command line. The worker id is the only proof a
  /// StartStream comes from the launched process, and a command line is readable by every local user
  /// (`/proc/PID/cmdline`), a process's environment only by its owner. Only the bundled Python worker
  /// does (it also removes the variable, so functions cannot read it); stock workers get the stock
  /// launch arguments.
  public var readsWorkerIDFromEnvironment: Bool = false

  /// `FUNCTIONS_HOST_WORKER_ID`: where a worker that ``readsWorkerIDFromEnvironment`` finds its id.
  public static let workerIDEnvironmentVariable = "FUNCTIONS_HOST_WORKER_ID"
  /// `FUNCTIONS_HOST_HTTP_SOCKET`: where a worker that ``supportsUnixSocketTransport`` binds its own HTTP
  /// server (HTTP proxying, advertised back as `HttpUri`), inside the host's private socket directory.
  public static let httpSocketEnvironmentVariable = "FUNCTIONS_HOST_HTTP_SOCKET"

  /// Creates a description.
  public init(
    executable: String, arguments: [String] = [], workerPath: String? = nil, workerArguments: [String] = [],
    workerDirectory: String, language: String = "python", environment: [String: String] = [:]
  ) {
    self.executable = executable
    self.arguments = arguments
    self.workerPath = workerPath
    self.workerArguments = workerArguments
    self.workerDirectory = workerDirectory
    self.language = language
    self.environment = environment
  }

  /// The full argument list (after the executable) with the stock host's launch arguments in both dialects
  /// (without the worker id when the worker ``readsWorkerIDFromEnvironment``; see ``launchEnvironment(workerID:)``),
  /// plus, for a worker that ``supportsUnixSocketTransport``, `--functions-h2-uds-path <unixSocketPath>`
  /// (gRPC over HTTP/2 on that Unix socket).
  public func launchArguments(
    host: String, port: Int, workerID: String, requestID: String, maxMessageLength: Int,
    unixSocketPath: String? = nil
  ) -> [String] {
    var args = arguments
    if let workerPath { args.append(workerPath) }
    args += workerArguments
    if readsWorkerIDFromEnvironment {
      args += [
        "--host", host, "--port", String(port), "--requestId", requestID,
        "--grpcMaxMessageLength", String(maxMessageLength),
        "--functions-uri", "http://\(host):\(port)/",
        "--functions-request-id", requestID, "--functions-grpc-max-message-length", String(maxMessageLength),
      ]
    } else {
      args += [
        "--host", host, "--port", String(port), "--workerId", workerID, "--requestId", requestID,
        "--grpcMaxMessageLength", String(maxMessageLength),
        "--functions-uri", "http://\(host):\(port)/", "--functions-worker-id", workerID,
        "--functions-request-id", requestID, "--functions-grpc-max-message-length", String(maxMessageLength),
      ]
    }
    if supportsUnixSocketTransport, let unixSocketPath { args += ["--functions-h2-uds-path", unixSocketPath] }
    return args
  }

  /// The variables to add to the worker's environment for one launch: the worker id when the worker
  /// ``readsWorkerIDFromEnvironment``, else nothing.
  public func launchEnvironment(workerID: String) -> [String: String] {
    readsWorkerIDFromEnvironment ? [Self.workerIDEnvironmentVariable: workerID] : [:]
  }

  /// A description from a command line such as `python -m azure_functions_worker` (shell-style quoting).
  ///
  /// - Throws: ``FunctionsHostError`` `.configuration` when the command is empty or badly quoted.
  public static func command(_ commandLine: String, workerDirectory: String, language: String = "python") throws
    -> WorkerDescription
  {
    let words = try ShellWords.split(commandLine)
    guard let first = words.first else {
      throw FunctionsHostError(code: .configuration, message: "--worker-command is empty")
    }
    return WorkerDescription(
      executable: first, arguments: Array(words.dropFirst()), workerDirectory: workerDirectory, language: language)
  }

  /// A description from a stock-host style `worker.config.json`.
  ///
  /// Reads `description.defaultExecutablePath`, `defaultWorkerPath` (relative to the file's folder),
  /// `arguments`, `workerArguments` and `language`; `{os}`, `{architecture}` and `%VAR%` tokens are expanded.
  ///
  /// - Throws: ``FunctionsHostError`` `.configuration` naming the file and field.
  public static func workerConfig(at path: String, environment: [String: String]) throws -> WorkerDescription {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw FunctionsHostError(code: .configuration, message: "\(path): worker config not found")
    }
    let root: JSONValue
    do { root = try JSONValue.parse(data) } catch {
      throw FunctionsHostError(code: .configuration, message: "\(path): not valid JSON (\(HostJSON.describe(error)))")
    }
    guard let description = root.objectValue?["description"]?.objectValue else {
      throw FunctionsHostError(code: .configuration, message: "\(path): field 'description' is missing or not an object")
    }
    let directory = (path as NSString).deletingLastPathComponent
    func expand(_ s: String) -> String {
      var out = s.replacingOccurrences(of: "{os}", with: WorkerDescription.operatingSystemToken)
      #if arch(arm64)
        out = out.replacingOccurrences(of: "{architecture}", with: "Arm64")
      #else
        out = out.replacingOccurrences(of: "{architecture}", with: "X64")
      #endif
      // %VAR% from the environment; unknown tokens are removed as the stock host does.
      while let start = out.range(of: "%"), let end = out.range(of: "%", range: start.upperBound..<out.endIndex) {
        let name = String(out[start.upperBound..<end.lowerBound])
        out.replaceSubrange(start.lowerBound..<end.upperBound, with: environment[name] ?? "")
      }
      return out
    }
    func strings(_ key: String) throws -> [String] {
      guard let v = description[key] else { return [] }
      guard let a = v.arrayValue, a.allSatisfy({ $0.stringValue != nil }) else {
        throw FunctionsHostError(
          code: .configuration, message: "\(path): field 'description.\(key)' is \(v.jsonText); expected an array of strings")
      }
      return a.compactMap(\.stringValue).map(expand)
    }
    guard let exe = description["defaultExecutablePath"]?.stringValue, !exe.isEmpty else {
      throw FunctionsHostError(
        code: .configuration, message: "\(path): field 'description.defaultExecutablePath' is missing")
    }
    var workerPath: String? = nil
    if let wp = description["defaultWorkerPath"]?.stringValue, !wp.isEmpty {
      let expanded = expand(wp)
      workerPath = expanded.hasPrefix("/") ? expanded : (directory as NSString).appendingPathComponent(expanded)
    }
    return WorkerDescription(
      executable: expand(exe), arguments: try strings("arguments"), workerPath: workerPath,
      workerArguments: try strings("workerArguments"), workerDirectory: directory,
      language: description["language"]?.stringValue ?? "python")
  }
}

extension WorkerDescription {
  /// What `{os}` expands to in worker.config.json, as the stock host names the platforms.
  static var operatingSystemToken: String {
    #if os(macOS)
      "OSX"
    #elseif os(Windows)
      "WINDOWS"
    #else
      "LINUX"
    #endif
  }
}

/// Splits a command line into words, honouring single and double quotes and backslashes.
package enum ShellWords {
  package static func split(_ line: String) throws -> [String] {
    var words: [String] = []
    var current = ""
    var inWord = false
    var quote: Character? = nil
    var escape = false
    for c in line {
      if escape { current.append(c); escape = false; inWord = true; continue }
      if c == "\\" && quote != "'" { escape = true; continue }
      if let q = quote {
        if c == q { quote = nil } else { current.append(c) }
        continue
      }
      if c == "'" || c == "\"" { quote = c; inWord = true; continue }
      if c.isWhitespace {
        if inWord { words.append(current); current = ""; inWord = false }
        continue
      }
      current.append(c)
      inWord = true
    }
    if quote != nil || escape {
      throw FunctionsHostError(code: .configuration, message: "worker command '\(line)' has an unclosed quote or a trailing backslash")
    }
    if inWord { words.append(current) }
    return words
  }
}
