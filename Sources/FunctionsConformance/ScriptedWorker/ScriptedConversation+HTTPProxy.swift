internal import FunctionsRPC
internal import SwiftProtobuf

extension ScriptedConversation {
  /// The HTTP-proxying capabilities of the fault modes that advertise HttpUri (none for the others: the
  /// scripted worker has no HTTP server).
  var httpProxyCapabilities: [String: String] {
    switch mode {
    case .deadHttpUri:
      // A socket path in a folder that does not exist: nothing can listen there.
      ["HttpUri": "http+unix://%2Fnonexistent-functions-conformance%2Fdead.sock", "RequiresRouteParameters": "true"]
    case .malformedHttpUri: ["HttpUri": "localhost:7072", "RequiresRouteParameters": "true"]
    case .httpUriWithoutRouteParameters: ["HttpUri": "http://127.0.0.1:7072"]
    default: [:]
    }
  }

  /// The streaming fixture's `stream` function as a worker indexes it (for the HttpUri fault modes).
  static let streamingFunction: RpcFunctionMetadata = {
    var m = RpcFunctionMetadata()
    m.name = "stream"
    m.functionID = "scripted-stream"
    m.language = "python"
    m.entryPoint = "stream"
    m.rawBindings = [
      #"{"authLevel": "ANONYMOUS", "direction": "IN", "methods": ["POST"], "name": "req", "route": "stream/{name}", "type": "httpTrigger"}"#,
      #"{"direction": "OUT", "name": "$return", "type": "http"}"#,
    ]
    var trigger = BindingInfo()
    trigger.type = "httpTrigger"
    trigger.direction = .in
    var out = BindingInfo()
    out.type = "http"
    out.direction = .out
    m.bindings = ["req": trigger, "$return": out]
    m.properties = ["FunctionsHostHttpProxy": "true"]
    return m
  }()
}
