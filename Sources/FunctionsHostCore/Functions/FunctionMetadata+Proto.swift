public import FunctionsRPC

extension FunctionMetadata {
  /// The FunctionLoadRequest that loads this function.
  package func loadRequest() -> AzureFunctionsRpcMessages_FunctionLoadRequest {
    var request = AzureFunctionsRpcMessages_FunctionLoadRequest()
    request.functionID = functionID
    var m = AzureFunctionsRpcMessages_RpcFunctionMetadata()
    m.name = name
    m.functionID = functionID
    m.directory = directory
    m.scriptFile = scriptFile
    m.entryPoint = entryPoint ?? ""
    m.isProxy = false
    m.language = "python"
    var props = properties
    if props["worker_indexed"] != nil { props["FunctionId"] = functionID }
    m.properties = props
    for b in bindings {
      var info = AzureFunctionsRpcMessages_BindingInfo()
      info.type = b.type
      info.direction = switch b.direction {
      case .in: .in
      case .out: .out
      case .inout: .inout
      }
      info.dataType = switch b.dataType {
      case "string": .string
      case "binary": .binary
      case "stream": .stream
      default: .undefined
      }
      m.bindings[b.name] = info
      m.rawBindings.append(b.rawJSON)
    }
    request.metadata = m
    return request
  }
}

extension BindingMetadata {
  /// The binding as a function.json-style JSON object.
  package var rawJSON: String {
    var object = properties
    object["name"] = .string(name)
    object["type"] = .string(type)
    object["direction"] = .string(direction.rawValue)
    if let dataType { object["dataType"] = .string(dataType) }
    return JSONValue.object(object).jsonText
  }
}
