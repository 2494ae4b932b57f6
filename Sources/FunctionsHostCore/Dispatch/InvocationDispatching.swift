public import FunctionsRPC

/// What a caller asks the host to run: a function by name, with its trigger data.
public struct InvocationInput: Sendable {
  /// The function to run.
  public var functionName: String
  /// The trigger value and other inputs, keyed by binding name.
  public var inputData: [AzureFunctionsRpcMessages_ParameterBinding]
  /// The trigger metadata (binding data) as in protocol.md §2.6.
  public var triggerMetadata: [String: AzureFunctionsRpcMessages_TypedData]
  /// The W3C trace context; a fresh one is made when absent.
  public var traceContext: AzureFunctionsRpcMessages_RpcTraceContext?

  /// Creates an invocation input.
  public init(
    functionName: String, inputData: [AzureFunctionsRpcMessages_ParameterBinding] = [],
    triggerMetadata: [String: AzureFunctionsRpcMessages_TypedData] = [:],
    traceContext: AzureFunctionsRpcMessages_RpcTraceContext? = nil
  ) {
    self.functionName = functionName
    self.inputData = inputData
    self.triggerMetadata = triggerMetadata
    self.traceContext = traceContext
  }
}

/// What a successful invocation produced.
public struct InvocationOutput: Sendable {
  /// The invocation id the host gave this invocation.
  public var invocationID: String
  /// The `$return` value, if any.
  public var returnValue: AzureFunctionsRpcMessages_TypedData?
  /// Named output bindings.
  public var outputData: [String: AzureFunctionsRpcMessages_TypedData]

  /// Creates an invocation output.
  public init(
    invocationID: String, returnValue: AzureFunctionsRpcMessages_TypedData? = nil,
    outputData: [String: AzureFunctionsRpcMessages_TypedData] = [:]
  ) {
    self.invocationID = invocationID
    self.returnValue = returnValue
    self.outputData = outputData
  }
}

/// The seam between triggers (the HTTP front door, tests) and the host's dispatcher.
public protocol InvocationDispatching: Sendable {
  /// Runs a function and waits for its result.
  ///
  /// - Throws: ``FunctionsHostError`` with `.functionNotFound`, `.functionLoadFailed`,
  ///   `.functionFailed`, `.workerUnavailable`, `.workerExited`, `.timeout`, `.overloaded` or
  ///   `.shuttingDown`; `invocationID` is set once the invocation got one.
  func invoke(_ input: InvocationInput) async throws -> InvocationOutput

  /// Runs `function`, which the caller just got from ``functions()`` or ``function(named:)`` for
  /// `input.functionName`: the dispatcher may skip looking it up again (one lookup per invocation on
  /// the hot path). A function that is no longer current is followed to the current one.
  ///
  /// - Throws: as ``invoke(_:)``.
  func invoke(_ input: InvocationInput, function: FunctionMetadata) async throws -> InvocationOutput

  /// The functions the app has now (indexed, whether or not they loaded).
  func functions() -> [FunctionMetadata]

  /// Starts `function` without waiting, when that can be done at once: a ready worker with a free slot
  /// and a stream that takes messages synchronously. Then `completion` runs exactly once, on the thread
  /// that decoded the worker's answer (or failed it), and the result is `true`. Otherwise nothing is
  /// sent, `completion` is never called and the result is `false`: use ``invoke(_:function:)``, which
  /// waits for workers and capacity. The HTTP front door's event-loop path uses it (no task per request).
  func startInvoke(
    _ input: InvocationInput, function: FunctionMetadata,
    completion: @escaping @Sendable (Result<InvocationOutput, any Error>) -> Void
  ) -> Bool

  /// The worker HTTP server that HTTP requests for `function` are forwarded to (stock HTTP proxying,
  /// capability `HttpUri`), or `nil` for the buffered path.
  func httpProxy(for function: FunctionMetadata) -> HTTPProxyTarget?

  /// Runs `function` in HTTP proxying mode: picks a worker that has an HTTP server, then at once calls
  /// `forward` with that server and the invocation id (the caller forwards the HTTP request there with
  /// ``HTTPProxyTarget/invocationIDHeader``) while the InvocationRequest goes to the same worker.
  /// Returns when both are done: what `forward` returned (the worker server's response) and the
  /// invocation's output. When the invocation fails, the worker's own answer is still returned if it comes
  /// within a short grace (it is the real response); when `forward` fails, the invocation is cancelled.
  ///
  /// - Throws: as ``invoke(_:)``, or what `forward` threw.
  func invokeProxied<Forwarded: Sendable>(
    _ input: InvocationInput, function: FunctionMetadata,
    forward: @escaping @Sendable (HTTPProxyTarget, String) async throws -> Forwarded
  ) async throws -> (Forwarded, InvocationOutput)

  /// The function with that name (case-insensitive), if the app has it now.
  func function(named name: String) -> FunctionMetadata?
}

extension InvocationDispatching {
  /// Never starts synchronously: callers use ``invoke(_:function:)``.
  public func startInvoke(
    _ input: InvocationInput, function: FunctionMetadata,
    completion: @escaping @Sendable (Result<InvocationOutput, any Error>) -> Void
  ) -> Bool { false }

  /// No HTTP proxying: every request takes the buffered path.
  public func httpProxy(for function: FunctionMetadata) -> HTTPProxyTarget? { nil }

  /// Refuses: this dispatcher has no worker HTTP servers.
  public func invokeProxied<Forwarded: Sendable>(
    _ input: InvocationInput, function: FunctionMetadata,
    forward: @escaping @Sendable (HTTPProxyTarget, String) async throws -> Forwarded
  ) async throws -> (Forwarded, InvocationOutput) {
    throw FunctionsHostError(
      code: .workerUnavailable, message: "this dispatcher cannot forward HTTP requests to a worker's server")
  }

  /// Looks the function up again: ``invoke(_:)``.
  public func invoke(_ input: InvocationInput, function: FunctionMetadata) async throws -> InvocationOutput {
    try await invoke(input)
  }

  /// Looks the function up in ``functions()``; dispatchers with an index answer faster.
  public func function(named name: String) -> FunctionMetadata? {
    let lower = name.lowercased()
    return functions().first { $0.name.lowercased() == lower }
  }
}
