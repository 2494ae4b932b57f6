internal import FunctionsRPC
internal import SwiftProtobuf
internal import GRPCCore
internal import GRPCNIOTransportHTTP2Posix

/// A fake worker written in Swift: a gRPC client of a host's EventStream that follows the protocol
/// (``Mode/conforming``) or misbehaves on demand (every other ``Mode``). Hosts use it to prove they survive
/// bad workers; the conformance kit uses its fault modes as a mutation check of its own scenarios.
///
/// It emulates the kit's fixture functions by name (`echo`, `outputs`, `http`, `logs`, `slow`, `broken`,
/// `env`); any other HTTP function answers 200, any other function returns its input.
///
/// ```swift
/// // in-process, against the conformance kit:
/// let report = try await ConformanceSuite().run(.scripted(ScriptedWorker(mode: .conforming)))
/// // as a worker process of a real host:
/// let worker = WorkerDescription(executable: "/path/to/functions-host",
///                                arguments: ["fake-worker", "--mode", "crash-mid-invocation"],
///                                workerDirectory: "/tmp")
/// ```
public struct ScriptedWorker: Sendable {
  /// The behaviour.
  public var mode: Mode
  /// When true a "crash" exits the process with code 3 (worker-process use); when false ``run(_:)``
  /// throws ``ScriptedWorkerCrash`` (in-process use).
  public var exitsProcessOnCrash: Bool

  /// The capabilities the scripted worker advertises (the bundled Python worker's set).
  public static let capabilities: [String: String] = [
    "RawHttpBodyBytes": "true", "RpcHttpBodyOnly": "true", "RpcHttpTriggerMetadataRemoved": "true",
    "TypedDataCollection": "true", "WorkerStatus": "true", "HandlesInvocationCancelMessage": "true",
    "HandlesWorkerTerminateMessage": "true",
  ]

  /// Creates a scripted worker.
  public init(mode: Mode = .conforming, exitsProcessOnCrash: Bool = false) {
    self.mode = mode
    self.exitsProcessOnCrash = exitsProcessOnCrash
  }

  /// Connects to `launch.host:launch.port` and plays the script until the host closes the stream, a
  /// WorkerTerminate arrives, or the task is cancelled.
  ///
  /// - Throws: ``ScriptedWorkerCrash`` for the crash modes (in-process), or the transport's error.
  public func run(_ launch: WorkerLaunch) async throws {
    try await withGRPCClient(
      transport: .http2NIOPosix(
        target: .ipv4(address: launch.host, port: launch.port), transportSecurity: .plaintext,
        config: .defaults { config in
          config.http2.targetWindowSize = 8 << 20
          config.http2.maxFrameSize = 1 << 20
        })
    ) { client in
      let (outbox, sink) = AsyncStream.makeStream(of: RawFrame.self)
      let conversation = ScriptedConversation(worker: self, launch: launch, sink: sink)
      let request = StreamingClientRequest<RawFrame> { writer in
        for await frame in outbox { try await writer.write(frame) }
      }
      var options = CallOptions.defaults
      options.maxRequestMessageBytes = 1 << 30
      options.maxResponseMessageBytes = 1 << 30
      try await client.bidirectionalStreaming(
        request: request, descriptor: AzureFunctionsRpcMessages_FunctionRpc.Method.EventStream.descriptor,
        serializer: RawFrameSerializer(), deserializer: RawFrameDeserializer(), options: options
      ) { response in
        try await conversation.run(response.messages)
      }
    }
  }
}

/// Thrown by ``ScriptedWorker/run(_:)`` when a crash mode "crashes" in-process.
public struct ScriptedWorkerCrash: Error, CustomStringConvertible {
  /// Which mode crashed and where.
  public var description: String
}
