internal import Foundation
internal import FunctionsRPC
internal import SwiftProtobuf

/// Reads `<app>/*/function.json` into load metadata (a small, independent copy of what a host does).
enum FunctionJSONScan {
  static func scan(_ appDirectory: String) throws -> [AzureFunctionsRpcMessages_RpcFunctionMetadata] {
    let fm = FileManager.default
    let entries = (try? fm.contentsOfDirectory(atPath: appDirectory)) ?? []
    var result: [AzureFunctionsRpcMessages_RpcFunctionMetadata] = []
    for name in entries.sorted() {
      let directory = "\(appDirectory)/\(name)"
      guard let data = fm.contents(atPath: "\(directory)/function.json") else { continue }
      guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
        throw ScenarioFailure("\(directory)/function.json is not a JSON object")
      }
      var m = AzureFunctionsRpcMessages_RpcFunctionMetadata()
      m.name = name
      m.directory = directory
      let script = object["scriptFile"] as? String ?? "__init__.py"
      m.scriptFile = script.hasPrefix("/") ? script : "\(directory)/\(script)"
      m.entryPoint = object["entryPoint"] as? String ?? "main"
      m.language = "python"
      for b in object["bindings"] as? [[String: Any]] ?? [] {
        guard let bname = b["name"] as? String, let type = b["type"] as? String else { continue }
        var info = AzureFunctionsRpcMessages_BindingInfo()
        info.type = type
        switch (b["direction"] as? String ?? "in").lowercased() {
        case "out": info.direction = .out
        case "inout": info.direction = .inout
        default: info.direction = .in
        }
        switch (b["dataType"] as? String ?? "").lowercased() {
        case "string": info.dataType = .string
        case "binary": info.dataType = .binary
        case "stream": info.dataType = .stream
        default: break
        }
        m.bindings[bname] = info
        if let raw = try? JSONSerialization.data(withJSONObject: b, options: [.sortedKeys]) {
          m.rawBindings.append(String(decoding: raw, as: UTF8.self))
        }
      }
      result.append(m)
    }
    return result
  }
}
