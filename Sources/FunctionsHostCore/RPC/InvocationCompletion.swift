internal import FunctionsRPC

/// Who is told when an invocation ends: an awaiting caller (a promise) or a callback that runs on the
/// thread that decoded the answer (the front door's event-loop path, with no task in between).
enum InvocationCompletion: Sendable {
  case promise(Promise<AzureFunctionsRpcMessages_InvocationResponse>)
  case callback(@Sendable (Result<AzureFunctionsRpcMessages_InvocationResponse, any Error>) -> Void)

  /// Delivers the result.
  func complete(_ result: Result<AzureFunctionsRpcMessages_InvocationResponse, any Error>) {
    switch self {
    case .promise(let promise): promise.complete(result)
    case .callback(let callback): callback(result)
    }
  }
}
