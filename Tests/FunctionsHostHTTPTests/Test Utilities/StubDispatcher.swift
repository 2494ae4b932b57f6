import FunctionsHostCore
import FunctionsRPC
import Synchronization

/// A dispatcher that records inputs and answers with a scripted handler.
final class StubDispatcher: InvocationDispatching, Sendable {
  typealias Handler = @Sendable (InvocationInput) async throws -> InvocationOutput

  private let state: Mutex<(functions: [FunctionMetadata], inputs: [InvocationInput])>
  private let handler: Handler

  init(functions: [FunctionMetadata], handler: @escaping Handler = StubDispatcher.ok) {
    self.state = Mutex((functions, []))
    self.handler = handler
  }

  func invoke(_ input: InvocationInput) async throws -> InvocationOutput {
    state.withLock { $0.inputs.append(input) }
    return try await handler(input)
  }

  func functions() -> [FunctionMetadata] { state.withLock { $0.functions } }

  /// Replaces the function set (as re-indexing would).
  func setFunctions(_ functions: [FunctionMetadata]) { state.withLock { $0.functions = functions } }

  /// Every input received so far.
  var inputs: [InvocationInput] { state.withLock { $0.inputs } }

  /// The last input's RpcHttp.
  var lastHTTP: AzureFunctionsRpcMessages_RpcHttp? { inputs.last?.inputData.first?.data.http }

  /// Answers every invocation with `200 ok:<function name>` as an RpcHttp return value.
  static let ok: Handler = { input in
    InvocationOutput(
      invocationID: "inv-1",
      returnValue: .http(status: "200", body: .string("ok:\(input.functionName)"))
    )
  }

  /// Answers with an error.
  static func failing(_ error: FunctionsHostError) -> Handler {
    { _ in throw error }
  }
}
