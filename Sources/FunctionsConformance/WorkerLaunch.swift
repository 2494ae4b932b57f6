/// Where a worker must connect and who it is: the values of the standard launch arguments.
///
/// ```swift
/// let launch = try WorkerLaunch(arguments: CommandLine.arguments.dropFirst())
/// try await ScriptedWorker(mode: .conforming).run(launch)
/// ```
public struct WorkerLaunch: Sendable, Hashable {
  /// The host's gRPC address (`--host`, or the host of `--functions-uri`).
  public var host: String
  /// The host's gRPC port.
  public var port: Int
  /// The worker id to send in StartStream (`--workerId` / `--functions-worker-id`).
  public var workerID: String
  /// The request id of this launch (`--requestId` / `--functions-request-id`).
  public var requestID: String
  /// The largest gRPC message the host accepts (`--grpcMaxMessageLength`).
  public var maxMessageLength: Int

  /// Creates a launch description.
  public init(host: String, port: Int, workerID: String, requestID: String, maxMessageLength: Int = Int(Int32.max)) {
    self.host = host
    self.port = port
    self.workerID = workerID
    self.requestID = requestID
    self.maxMessageLength = maxMessageLength
  }

  /// Parses the stock host's launch arguments in both dialects (`--functions-*` wins); unknown words are ignored.
  ///
  /// - Throws: ``ConformanceError`` `.configuration` when the address or worker id is missing.
  public init<Words: Sequence<String>>(arguments: Words) throws {
    var values: [String: String] = [:]
    var iterator = Array(arguments).makeIterator()
    while let word = iterator.next() {
      guard word.hasPrefix("--") else { continue }
      if let eq = word.firstIndex(of: "=") {
        values[String(word[word.index(word.startIndex, offsetBy: 2)..<eq])] = String(word[word.index(after: eq)...])
      } else if let value = iterator.next() {
        values[String(word.dropFirst(2))] = value
      }
    }
    var host = values["host"]
    var port = values["port"].flatMap { Int($0) }
    if let uri = values["functions-uri"] {
      // http://HOST:PORT/
      let rest = uri.split(separator: "/", omittingEmptySubsequences: true).dropFirst().first.map(String.init) ?? ""
      let parts = rest.split(separator: ":")
      if parts.count == 2, let p = Int(parts[1]) {
        host = String(parts[0])
        port = p
      }
    }
    guard let host, let port, let workerID = values["functions-worker-id"] ?? values["workerId"] else {
      throw ConformanceError(
        code: .configuration,
        message: "launch arguments need --host/--port (or --functions-uri) and --workerId (or --functions-worker-id)")
    }
    self.init(
      host: host, port: port, workerID: workerID,
      requestID: values["functions-request-id"] ?? values["requestId"] ?? "",
      maxMessageLength: (values["functions-grpc-max-message-length"] ?? values["grpcMaxMessageLength"]).flatMap { Int($0) }
        ?? Int(Int32.max))
  }
}
