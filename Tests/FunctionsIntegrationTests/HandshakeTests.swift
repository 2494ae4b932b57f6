import FunctionsTestSupport
import Foundation
import FunctionsHostCore
import FunctionsRPC
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import Logging
import Testing

/// A stranger on the worker port cannot take a worker's place, and the host keeps serving.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct HandshakeTests {
  /// Opens an EventStream, sends `first`, and returns the status the host ends the stream with.
  static func rogueStream(port: Int, first: AzureFunctionsRpcMessages_StreamingMessage) async throws -> RPCError.Code? {
    try await withGRPCClient(
      transport: .http2NIOPosix(target: .ipv4(address: "127.0.0.1", port: port), transportSecurity: .plaintext)
    ) { client in
      let rpc = AzureFunctionsRpcMessages_FunctionRpc.Client(wrapping: client)
      let request = StreamingClientRequest<AzureFunctionsRpcMessages_StreamingMessage> { writer in
        try await writer.write(first)
      }
      do {
        try await rpc.eventStream(request: request) { response in
          for try await _ in response.messages {}
        }
        return nil
      } catch let error as RPCError {
        return error.code
      }
    }
  }

  @Test func unknownWorkerIDAndWrongFirstMessageAreRefused() async throws {
    // The TCP endpoint: open with the grpc transport (with the default one the bundled worker uses the
    // Unix socket and no TCP port is open at all; see `noTCPEndpointWhenEveryWorkerUsesTheUnixSocket`).
    let live = try await LiveHost.start(configure: { $0.transport = .grpc })
    try await live.stoppingAfter {
      let rpcPort = try await live.host.rpcPort()
      #expect(rpcPort > 0)

      var start = AzureFunctionsRpcMessages_StreamingMessage()
      var body = AzureFunctionsRpcMessages_StartStream()
      body.workerID = "0123456789abcdef-guessed"
      start.startStream = body
      let refused = try await Self.rogueStream(port: rpcPort, first: start)
      #expect(refused == .permissionDenied)
      let logged = await live.logs.first(timeout: .seconds(30)) { $0.message.contains("did not issue") }
      #expect(logged != nil)

      var notStart = AzureFunctionsRpcMessages_StreamingMessage()
      notStart.workerStatusResponse = AzureFunctionsRpcMessages_WorkerStatusResponse()
      let wrongFirst = try await Self.rogueStream(port: rpcPort, first: notStart)
      #expect(wrongFirst == .failedPrecondition)

      // The real worker is unaffected.
      let hello = try await live.request("GET", "/api/hello?name=Ada")
      #expect(hello.text == "Hello, Ada!")
      try await live.stop()
    }
  }

  @Test func noTCPEndpointWhenEveryWorkerUsesTheUnixSocket() async throws {
    let live = try await LiveHost.start()
    try await live.stoppingAfter {
      let port = try await live.host.rpcPort()
      #expect(port == 0)
      let messages = live.logs.records.map(\.message)
      #expect(messages.contains { $0.contains("worker gRPC endpoint listening on unix:") })
      #expect(!messages.contains { $0.contains("worker gRPC endpoint listening on 127.0.0.1:") })
      let hello = try await live.request("GET", "/api/hello?name=uds")
      #expect(hello.status == 200)
    }
  }

  /// A worker launched with the stock arguments (Microsoft's worker's) has its id on its command line,
  /// which every local user can read. A stranger that reads it and sends StartStream before the worker
  /// does is refused, because its connection is not the launched process's (`/proc` says who holds the
  /// socket), and logged; the real worker then attaches and serves.
  ///
  /// The launched "worker" is a shell that hands its argv to the test through a FIFO and waits on a
  /// second FIFO before it execs the bundled worker with those arguments, so the stranger (this test
  /// process) is first on the port, every step ordered by an event.
  @Test func aStrangerWithTheWorkerIDFromTheCommandLineIsRefusedAndTheWorkerServes() async throws {
    let directory = NSTemporaryDirectory() + "stock-worker-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let argvFIFO = "\(directory)/argv", goFIFO = "\(directory)/go"
    #expect(mkfifo(argvFIFO, 0o600) == 0 && mkfifo(goFIFO, 0o600) == 0)
    let python = try await TestPython.prepared().worker
    var worker = python
    worker.executable = "/bin/sh"
    worker.arguments = [
      "-c", #"printf '%s\n' "$@" > "$ARGV_FIFO"; read go < "$GO_FIFO"; exec "$@""#, "stock-worker", python.executable,
    ] + python.arguments
    worker.readsWorkerIDFromEnvironment = false  // the stock arguments, id included
    worker.supportsUnixSocketTransport = false  // and TCP
    worker.environment["ARGV_FIFO"] = argvFIFO
    worker.environment["GO_FIFO"] = goFIFO

    // This end of the go FIFO is held open from the start (read-write: opening never blocks), so the
    // worker's read waits for the word, never for a writer, and writing it never blocks either.
    let go = open(goFIFO, O_RDWR)
    #expect(go >= 0)
    defer { close(go) }
    async let started = LiveHost.start(fixture: "supervision", workers: 1, worker: worker, configure: { $0.transport = .grpc })
    let attack: Result<RPCError.Code?, any Error>
    do {
      let argv = try await Self.readAll(fifo: argvFIFO).split(separator: "\n").map(String.init)
      let port = try #require(argv.firstIndex(of: "--port").flatMap { Int(argv[$0 + 1]) }, "\(argv)")
      let id = try #require(argv.firstIndex(of: "--workerId").map { argv[$0 + 1] }, "\(argv)")
      var start = AzureFunctionsRpcMessages_StreamingMessage()
      start.startStream.workerID = id
      attack = .success(try await Self.rogueStream(port: port, first: start))
    } catch {
      attack = .failure(error)
    }
    // Whatever happened, let the worker go on (else the host's start would wait for it until its timeout).
    #expect(write(go, "go\n", 3) == 3)
    let live = try await started
    try await live.stoppingAfter {
      #expect(try attack.get() == .permissionDenied, "the stranger holding the worker's id is refused")
      let intrusion = await live.logs.first(timeout: .seconds(30)) {
        $0.level == .error && $0.message.contains("intrusion attempt")
          && $0.message.contains("does not come from its launched process")
      }
      #expect(intrusion != nil)
      let attached = await live.logs.first(timeout: .seconds(30)) { $0.message.contains("attached its EventStream over TCP") }
      #expect(attached != nil, "the real worker attached after the refusal")
      #expect((try await live.request("GET", "/api/hello")).text == "hello")
      #expect(live.host.workers().first?.starts == 1, "the worker was not restarted")
      try await live.stop()
    }
  }

  /// Reads a FIFO to its end, off the cooperative pool. If the task is cancelled (the time limit) while
  /// the read waits for a writer, a writer opened and closed here ends it, so the test cannot hang.
  static func readAll(fifo path: String) async throws -> String {
    try await withTaskCancellationHandler {
      try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async {
          let fd = open(path, O_RDONLY)
          guard fd >= 0 else {
            continuation.resume(throwing: POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO))
            return
          }
          defer { close(fd) }
          var bytes: [UInt8] = []
          var buffer = [UInt8](repeating: 0, count: 4096)
          while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            bytes += buffer[..<n]
          }
          continuation.resume(returning: String(decoding: bytes, as: UTF8.self))
        }
      }
    } onCancel: {
      let fd = open(path, O_WRONLY | O_NONBLOCK)
      if fd >= 0 { close(fd) }
    }
  }
}
