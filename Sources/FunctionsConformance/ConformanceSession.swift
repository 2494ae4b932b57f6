public import FunctionsRPC
internal import Foundation
internal import FunctionsHostCore
internal import GRPCCore
internal import GRPCNIOTransportHTTP2Posix
public import Logging
internal import Synchronization

/// A minimal, independent host for one worker: its own gRPC server on `127.0.0.1:<free port>`, the worker
/// started with the standard launch arguments, and a log of everything the worker sent.
///
/// It shares no protocol code with `FunctionsHostCore` (only `WorkerDescription`), so a host bug cannot
/// hide a worker bug or the other way round. Scenarios drive it with ``send(_:)`` and
/// ``waitForMessage(after:timeout:where:)`` plus the verbs in `ConformanceSession+Verbs.swift`.
///
/// ```swift
/// try await ConformanceSession.run(worker: .command("python worker.py"), appDirectory: app) { session in
///   try await session.handshake()
///   let echo = try await session.load(ConformanceFixtures.echo)
///   let reply = try await session.invoke(echo, input: .string("hi"))
///   print(reply.response.returnValue)
/// }
/// ```
public final class ConformanceSession: Sendable {
  /// Timeouts and limits of a session.
  public struct Configuration: Sendable {
    /// How long the worker has to open its stream and send StartStream.
    public var startTimeout: Duration = .seconds(20)
    /// How long the worker has to answer a request (init, load, status, metadata).
    public var replyTimeout: Duration = .seconds(10)
    /// How long one invocation may take.
    public var invocationTimeout: Duration = .seconds(30)
    /// The largest message the mini host accepts (and announces with `--grpcMaxMessageLength`).
    public var maxMessageSize: Int = 256 << 20
    /// The environment of worker processes (the kit never reads its own environment).
    public var environment: [String: String] = [:]
    /// Where worker output and session events are logged (at debug level).
    public var logger: Logger = Logger(label: "functions-conformance")

    /// The defaults.
    public static var defaults: Configuration { Configuration() }
    /// The defaults, changed by `configure`.
    public static func defaults(_ configure: (inout Configuration) -> Void) -> Configuration {
      var c = Configuration()
      configure(&c)
      return c
    }
  }

  /// The worker id passed on the command line; StartStream must carry it.
  public let workerID: String
  /// The request id passed on the command line.
  public let requestID: String
  /// The function app folder the worker was started in.
  public let appDirectory: String
  /// The session's configuration.
  public let configuration: Configuration

  let received = EventLog<StreamingMessage>()
  let exits = EventLog<WorkerExit>()
  let streamEnds = EventLog<String>()
  let output = LineTail(limit: 40)
  private let state = Mutex(State())

  private struct State {
    var writer: RPCWriter<StreamingMessage>? = nil
    var streamCount = 0
    var streamEnd: String? = nil
    var capabilities: [String: String] = [:]
    var stopping = false
  }

  init(appDirectory: String, configuration: Configuration) {
    self.workerID = UUID().uuidString.lowercased()
    self.requestID = UUID().uuidString.lowercased()
    self.appDirectory = appDirectory
    self.configuration = configuration
  }

  /// Every message the worker sent so far, in arrival order.
  public var messages: [AzureFunctionsRpcMessages_StreamingMessage] { received.entries.map(\.element) }
  /// How many EventStream calls the worker opened.
  public var streamCount: Int { state.withLock { $0.streamCount } }
  /// Why the stream ended, once it has.
  public var streamEnd: String? { state.withLock { $0.streamEnd } }
  /// The capabilities of the worker's WorkerInitResponse (after ``initialize()``).
  public var capabilities: [String: String] { state.withLock { $0.capabilities } }
  /// The last lines the worker printed on stdout/stderr.
  public var outputTail: [String] { output.lines }
  /// How the worker ended, if it has.
  public var exit: WorkerExit? { exits.entries.first?.element }

  func setCapabilities(_ capabilities: [String: String]) { state.withLock { $0.capabilities = capabilities } }

  /// Starts a server and the worker, runs `body`, then stops the worker (SIGKILL to its process group)
  /// and the server.
  ///
  /// - Throws: what `body` throws, or ``ConformanceError`` `.transport` when the server cannot start.
  public static func run<Result: Sendable>(
    worker: WorkerUnderTest, appDirectory: String, configuration: Configuration = .defaults,
    body: @Sendable (ConformanceSession) async throws -> Result
  ) async throws -> Result {
    let session = ConformanceSession(appDirectory: appDirectory, configuration: configuration)
    let service = ConformanceEventStreamService(session: session)
    let server = GRPCServer(
      transport: .http2NIOPosix(
        address: .ipv4(host: "127.0.0.1", port: 0), transportSecurity: .plaintext,
        config: .defaults { config in
          config.rpc.maxRequestPayloadSize = configuration.maxMessageSize
          config.connection.flushCoalescing = nil
          config.http2.targetWindowSize = 8 << 20
          config.http2.maxFrameSize = 1 << 20
        }),
      services: [service])
    return try await withThrowingTaskGroup(of: Void.self) { group in
      group.addTask { try await server.serve() }
      defer {
        session.state.withLock { $0.stopping = true }
        server.beginGracefulShutdown()
        group.cancelAll()
      }
      guard let port = try await server.listeningAddress?.ipv4?.port else {
        throw ConformanceError(code: .transport, message: "the mini host's gRPC server did not start")
      }
      let launch = WorkerLaunch(
        host: "127.0.0.1", port: port, workerID: session.workerID, requestID: session.requestID,
        maxMessageLength: configuration.maxMessageSize)
      group.addTask { await session.runWorker(worker, launch: launch) }
      return try await body(session)
    }
  }

  private func runWorker(_ worker: WorkerUnderTest, launch: WorkerLaunch) async {
    let exit: WorkerExit
    switch worker.kind {
    case .inProcess(let run):
      do {
        try await run(launch)
        exit = WorkerExit(description: "returned", stoppedByKit: isStopping)
      } catch {
        exit = WorkerExit(description: "threw \(error)", stoppedByKit: isStopping)
      }
    case .process(let description):
      exit = await WorkerProcess.run(
        description, launch: launch, appDirectory: appDirectory, environment: configuration.environment,
        output: output, logger: configuration.logger, isStopping: { self.isStopping })
    }
    configuration.logger.debug("worker ended: \(exit.description)")
    exits.append(exit)
    // Nothing more can arrive once the worker is gone; let its last messages drain, then wake the waiters.
    if state.withLock({ $0.writer != nil }) { _ = await streamEnds.first(timeout: .seconds(1)) }
    received.close()
  }

  var isStopping: Bool { state.withLock { $0.stopping } }

  // MARK: - stream plumbing (called by the service)

  func attach(_ writer: RPCWriter<StreamingMessage>) -> Bool {
    state.withLock { s in
      s.streamCount += 1
      guard s.writer == nil else { return false }
      s.writer = writer
      return true
    }
  }

  func streamEnded(_ reason: String) {
    state.withLock { s in
      if s.streamEnd == nil { s.streamEnd = reason }
    }
    configuration.logger.debug("worker stream ended: \(reason)")
    received.close()
    streamEnds.append(reason)
  }

  // MARK: - public verbs

  /// Sends a message to the worker.
  ///
  /// - Throws: ``ConformanceError`` `.transport` when there is no open stream or the write fails.
  public func send(_ message: AzureFunctionsRpcMessages_StreamingMessage) async throws {
    guard let writer = state.withLock({ $0.writer }) else {
      throw ConformanceError(code: .transport, message: "the worker has no open stream")
    }
    do { try await writer.write(message) } catch {
      throw ConformanceError(code: .transport, message: "could not send to the worker", cause: error)
    }
  }

  /// The first message after position `after` (exclusive; -1 = from the start) matching `predicate`,
  /// or `nil` when none arrives within `timeout` or the stream ends first.
  public func waitForMessage(
    after: Int = -1, timeout: Duration,
    where predicate: @escaping @Sendable (AzureFunctionsRpcMessages_StreamingMessage) -> Bool = { _ in true }
  ) async -> (index: Int, message: AzureFunctionsRpcMessages_StreamingMessage)? {
    guard let entry = await received.first(from: after + 1, timeout: timeout, where: predicate) else { return nil }
    return (entry.index, entry.element)
  }

  /// Waits until the worker ends (process exit or in-process return), up to `timeout`.
  public func waitForExit(timeout: Duration) async -> WorkerExit? {
    await exits.first(timeout: timeout)?.element
  }

  /// The position of the last message received so far (-1 when none).
  public var lastIndex: Int { received.count - 1 }
}
