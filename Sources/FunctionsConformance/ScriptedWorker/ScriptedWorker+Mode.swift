extension ScriptedWorker {
  /// How the scripted worker behaves. `conforming` passes every conformance scenario; every other mode is
  /// one deliberate fault. Faults marked "host" are for testing hosts; the others double as the kit's
  /// mutation check (each is caught by at least one scenario, see ``expectedCatcher``).
  public enum Mode: String, Sendable, CaseIterable, Codable {
    /// Follows the protocol (reference behaviour).
    case conforming = "conforming"
    /// Connects but never sends StartStream.
    case noStartStream = "no-start-stream"
    /// StartStream carries a worker id the host did not issue.
    case wrongWorkerID = "wrong-worker-id"
    /// Answers WorkerInitRequest with bytes that are not a protobuf message.
    case garbageFrames = "garbage-frames"
    /// Answers WorkerInitRequest only after 120 s (host: init timeout).
    case slowInit = "slow-init"
    /// WorkerInitResponse reports Failure.
    case failedInit = "failed-init"
    /// Advertises a capability with an empty value.
    case emptyCapabilityValue = "empty-capability-value"
    /// WorkerStatusResponse without the request's request_id.
    case statusWithoutRequestID = "status-without-request-id"
    /// Advertises WorkerStatus but never answers WorkerStatusRequest.
    case ignoresStatusRequest = "ignores-status-request"
    /// Indexes a function with an invalid name and no trigger.
    case invalidMetadata = "invalid-metadata"
    /// Reports the broken fixture function as loaded.
    case loadsBrokenFunction = "loads-broken-function"
    /// Exits when a function fails to load.
    case exitsOnLoadFailure = "exits-on-load-failure"
    /// Answers invocations with a different invocation id.
    case wrongInvocationID = "wrong-invocation-id"
    /// Sends every InvocationResponse twice.
    case duplicateInvocationResponse = "duplicate-invocation-response"
    /// Sends an InvocationResponse for an invocation that was never requested before each real one.
    case unknownInvocationResponse = "unknown-invocation-response"
    /// Drops the return value.
    case dropsReturnValue = "drops-return-value"
    /// Flips a byte of bytes payloads.
    case corruptsBytes = "corrupts-bytes"
    /// Drops output bindings.
    case dropsOutputBindings = "drops-output-bindings"
    /// Sends an invocation's logs after its response.
    case logsAfterResponse = "logs-after-response"
    /// Sends logs without the invocation id.
    case logsWithoutInvocationID = "logs-without-invocation-id"
    /// Under concurrency, answers an invocation with another one's result.
    case swapsConcurrentResponses = "swaps-concurrent-responses"
    /// Fails invocations whose input is larger than 4 MB.
    case rejectsLargeMessages = "rejects-large-messages"
    /// Crashes on a StreamingMessage member it does not know.
    case crashesOnUnknownMessage = "crashes-on-unknown-message"
    /// Advertises HandlesInvocationCancelMessage but ignores InvocationCancel.
    case ignoresCancel = "ignores-cancel"
    /// Advertises HandlesWorkerTerminateMessage but ignores WorkerTerminate.
    case ignoresTerminate = "ignores-terminate"
    /// FunctionEnvironmentReloadResponse reports Failure.
    case failsEnvironmentReload = "fails-environment-reload"
    /// Crashes (exit code 3) on its first InvocationRequest.
    case crashMidInvocation = "crash-mid-invocation"
    /// Advertises HttpUri (and indexes the streaming fixture) but nothing listens at that address.
    case deadHttpUri = "dead-http-uri"
    /// Advertises an HttpUri that is neither `http://127.0.0.1:<port>` nor `http+unix://<%2F-encoded path>`.
    case malformedHttpUri = "malformed-http-uri"
    /// Advertises HttpUri without RequiresRouteParameters.
    case httpUriWithoutRouteParameters = "http-uri-without-route-parameters"
    /// Host: sends a 16 MB RpcLog on its first invocation (beyond a host's configured limit).
    case oversizedMessage = "oversized-message"
    /// Host: sends 20,000 RpcLogs before each InvocationResponse.
    case logFlood = "log-flood"

    /// The scenario that catches this fault (`nil` for `conforming` and host-only modes).
    public var expectedCatcher: String? {
      switch self {
      case .conforming, .slowInit, .oversizedMessage, .logFlood: nil
      case .noStartStream, .wrongWorkerID: "start-stream"
      case .garbageFrames, .failedInit, .emptyCapabilityValue: "worker-init"
      case .statusWithoutRequestID, .ignoresStatusRequest: "worker-status"
      case .invalidMetadata: "functions-metadata"
      case .loadsBrokenFunction, .exitsOnLoadFailure: "function-load"
      case .wrongInvocationID, .dropsReturnValue, .crashMidInvocation: "invoke-string"
      case .corruptsBytes: "invoke-bytes"
      case .dropsOutputBindings: "output-bindings"
      case .logsAfterResponse, .logsWithoutInvocationID: "invocation-logs"
      case .duplicateInvocationResponse, .unknownInvocationResponse, .swapsConcurrentResponses: "concurrent-invocations"
      case .rejectsLargeMessages: "large-messages"
      case .crashesOnUnknownMessage: "unknown-message"
      case .ignoresCancel: "invocation-cancel"
      case .ignoresTerminate: "worker-terminate"
      case .failsEnvironmentReload: "environment-reload"
      case .deadHttpUri, .malformedHttpUri, .httpUriWithoutRouteParameters: "http-proxy"
      }
    }
  }
}
