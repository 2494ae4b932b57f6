internal import Foundation
internal import FunctionsRPC
internal import SwiftProtobuf

/// Checks a worker's indexed functions the way a host validates them before loading.
enum MetadataValidation {
  static func problems(_ functions: [AzureFunctionsRpcMessages_RpcFunctionMetadata]) -> [String] {
    var problems: [String] = []
    var names = Set<String>()
    var ids = Set<String>()
    for f in functions {
      let label = f.name.isEmpty ? "(unnamed)" : f.name
      if !isValidName(f.name) { problems.append("function name '\(f.name)' is not valid (^[a-z][a-z0-9_-]{0,127}$, not 'host')") }
      if !names.insert(f.name.lowercased()).inserted { problems.append("function name '\(f.name)' appears twice") }
      if f.functionID.isEmpty { problems.append("\(label): function_id is empty") }
      else if !ids.insert(f.functionID).inserted { problems.append("\(label): function_id \(f.functionID) appears twice") }
      if f.hasStatus && f.status.status == .failure {
        problems.append("\(label): indexing status is Failure: \(f.status.exception.message.prefix(200))")
      }
      if f.rawBindings.isEmpty { problems.append("\(label): no raw_bindings") }
      var bindingNames = Set<String>()
      var triggers = 0
      for raw in f.rawBindings {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(raw.utf8))) as? [String: Any] else {
          problems.append("\(label): raw binding is not a JSON object: \(raw.prefix(120))")
          continue
        }
        let type = object["type"] as? String ?? ""
        let name = object["name"] as? String ?? ""
        let direction = (object["direction"] as? String ?? "").lowercased()
        if type.isEmpty || name.isEmpty { problems.append("\(label): raw binding without type or name: \(raw.prefix(120))") }
        if !["in", "out", "inout"].contains(direction) {
          problems.append("\(label): binding '\(name)' has direction '\(direction)'")
        }
        if !bindingNames.insert(name.lowercased()).inserted { problems.append("\(label): binding name '\(name)' appears twice") }
        if type.lowercased().hasSuffix("trigger") { triggers += 1 }
      }
      if !f.rawBindings.isEmpty && triggers != 1 { problems.append("\(label): \(triggers) trigger bindings (expected exactly 1)") }
    }
    return problems
  }

  static func isValidName(_ name: String) -> Bool {
    guard let first = name.first, first.isASCII, first.isLetter, name.count <= 128, name.lowercased() != "host" else {
      return false
    }
    return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }
  }
}
