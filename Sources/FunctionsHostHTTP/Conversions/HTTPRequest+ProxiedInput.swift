internal import Foundation
internal import FunctionsHostCore
internal import FunctionsRPC
internal import Hummingbird

extension InvocationInput {
  /// The invocation for a request forwarded to the worker's own HTTP server (HTTP proxying):
  /// the trigger's RpcHttp is empty, or holds only the route values when the worker asked for them
  /// (`RequiresRouteParameters`); trigger metadata as for a buffered request, without body values
  /// (the host never reads the body).
  init(
    proxiedRequest head: HTTPRequest,
    route: HTTPRoute,
    params: [String: String],
    routeParametersOnly: Bool,
    traceContext: AzureFunctionsRpcMessages_RpcTraceContext
  ) {
    let query = QueryParameters(parsing: head.path.flatMap(InvocationInput.query(of:)))
    let headers = RequestHeaders.rpcHeaders(of: head)
    var http = AzureFunctionsRpcMessages_RpcHttp()
    if routeParametersOnly { http.params = params }
    self.init(
      functionName: route.functionName,
      inputData: [.httpTrigger(named: route.triggerBindingName, http)],
      triggerMetadata: HTTPTriggerMetadata.make(query: query, params: params, headers: headers, body: .init()),
      traceContext: traceContext
    )
  }
}
