internal import Foundation
internal import FunctionsHostCore
internal import FunctionsRPC
internal import Hummingbird

extension InvocationInput {
  /// The invocation for an HTTP request routed to `route` (protocol.md §2.6).
  ///
  /// `inputData` holds one binding named after the trigger (`req`) with the RpcHttp;
  /// `triggerMetadata` is ``HTTPTriggerMetadata``; `traceContext` comes from `trace`.
  init(
    httpRequest head: HTTPRequest,
    body: ByteBuffer,
    route: HTTPRoute,
    params: [String: String],
    traceContext: AzureFunctionsRpcMessages_RpcTraceContext,
    defaultAuthority: String
  ) {
    let query = QueryParameters(parsing: head.path.flatMap(InvocationInput.query(of:)))
    let headers = RequestHeaders.rpcHeaders(of: head)
    let bytes = body.sharedData
    let http = AzureFunctionsRpcMessages_RpcHttp(
      request: head,
      headers: headers,
      query: query,
      params: params,
      body: bytes,
      defaultAuthority: defaultAuthority
    )
    self.init(
      functionName: route.functionName,
      inputData: [.httpTrigger(named: route.triggerBindingName, http)],
      triggerMetadata: HTTPTriggerMetadata.make(
        query: query,
        params: params,
        headers: headers,
        body: bytes
      ),
      traceContext: traceContext
    )
  }

  /// The query part of a request target (after `?`, before any `#`).
  static func query(of target: String) -> Substring? {
    guard let q = target.firstIndex(ofASCII: UInt8(ascii: "?")) else { return nil }
    let rest = target[target.utf8.index(after: q)...]
    if let hash = rest.firstIndex(ofASCII: UInt8(ascii: "#")) { return rest[..<hash] }
    return rest
  }
}

extension AzureFunctionsRpcMessages_ParameterBinding {
  /// The HTTP trigger's input binding: `name` (`req`) holding `http`.
  static func httpTrigger(named name: String, _ http: AzureFunctionsRpcMessages_RpcHttp) -> Self {
    var binding = AzureFunctionsRpcMessages_ParameterBinding()
    binding.name = name
    var data = AzureFunctionsRpcMessages_TypedData()
    data.data = .http(http)
    binding.data = data
    return binding
  }
}
