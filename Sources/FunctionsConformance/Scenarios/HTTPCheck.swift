internal import Foundation
internal import FunctionsRPC
internal import SwiftProtobuf

/// Reads an HTTP answer out of an InvocationResponse (`$return`, or an `http` output binding).
enum HTTPCheck {
  static func http(_ response: AzureFunctionsRpcMessages_InvocationResponse) -> AzureFunctionsRpcMessages_RpcHttp? {
    if case .http(let h) = response.returnValue.data { return h }
    for b in response.outputData { if case .http(let h) = b.data.data { return h } }
    return nil
  }

  static func body(_ response: AzureFunctionsRpcMessages_InvocationResponse) -> Data? {
    guard let http = http(response) else { return nil }
    return bytes(http.body)
  }

  static func bytes(_ data: AzureFunctionsRpcMessages_TypedData) -> Data? {
    switch data.data {
    case .bytes(let b), .stream(let b): return b
    case .string(let s), .json(let s): return Data(s.utf8)
    default: return nil
    }
  }
}
