package import Foundation

/// Finds `*/function.json` functions under a script root.
package enum FunctionJSONIndexer {
  /// The functions found, and one error per folder that could not be read.
  package struct Result: Sendable {
    package var functions: [FunctionMetadata] = []
    package var errors: [FunctionsHostError] = []
  }

  /// The function-name rule of the stock host.
  package static func isValidName(_ name: String) -> Bool {
    guard let first = name.unicodeScalars.first, name.utf8.count <= 128, name.lowercased() != "host" else {
      return false
    }
    func isLetter(_ c: Unicode.Scalar) -> Bool { (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") }
    guard isLetter(first) else { return false }
    return name.unicodeScalars.allSatisfy { isLetter($0) || ($0 >= "0" && $0 <= "9") || $0 == "_" || $0 == "-" }
  }

  /// Scans every direct sub-folder of `scriptRoot` that holds a function.json.
  ///
  /// - Parameter settings: app settings, for `AzureWebJobs.<name>.Disabled`.
  package static func scan(scriptRoot: String, settings: [String: String] = [:]) -> Result {
    var result = Result()
    let fm = FileManager.default
    guard let entries = try? fm.contentsOfDirectory(atPath: scriptRoot) else {
      result.errors.append(
        FunctionsHostError(code: .configuration, message: "\(scriptRoot): cannot read the script root folder"))
      return result
    }
    for entry in entries.sorted() where !entry.hasPrefix(".") {
      let directory = (scriptRoot as NSString).appendingPathComponent(entry)
      let file = (directory as NSString).appendingPathComponent("function.json")
      guard fm.fileExists(atPath: file) else { continue }
      do {
        let data = try Data(contentsOf: URL(fileURLWithPath: file))
        result.functions.append(
          try parse(data, name: entry, directory: directory, file: file, settings: settings))
      } catch let error as FunctionsHostError {
        result.errors.append(error)
      } catch {
        result.errors.append(
          FunctionsHostError(code: .configuration, message: "\(file): cannot be read (\(error))", cause: error))
      }
    }
    return result
  }

  /// Parses one function.json.
  package static func parse(
    _ data: Data, name: String, directory: String, file: String, settings: [String: String] = [:]
  ) throws -> FunctionMetadata {
    func fail(_ message: String) -> FunctionsHostError {
      FunctionsHostError(code: .configuration, message: "\(file): \(message)")
    }
    guard isValidName(name) else {
      throw fail(
        "function name '\(name)' (the folder name) is invalid: it must start with a letter, use only letters, "
          + "digits, '_' and '-', be at most 128 characters and not be 'host'")
    }
    let root: JSONValue
    do { root = try JSONValue.parse(data) } catch {
      throw fail("not valid JSON (\(HostJSON.describe(error)))")
    }
    guard let object = root.objectValue else { throw fail("the top level must be a JSON object") }

    var scriptFile = (directory as NSString).appendingPathComponent("__init__.py")
    if let value = object["scriptFile"] {
      guard let s = value.stringValue, !s.isEmpty else {
        throw fail("field 'scriptFile' is \(value.jsonText); expected a path relative to the function folder")
      }
      scriptFile = ((directory as NSString).appendingPathComponent(s) as NSString).standardizingPath
    }
    var entryPoint: String? = nil
    if let value = object["entryPoint"] {
      guard let s = value.stringValue, !s.isEmpty else {
        throw fail("field 'entryPoint' is \(value.jsonText); expected a function name")
      }
      entryPoint = s
    }
    var disabled = false
    if let value = object["disabled"] {
      guard let b = value.boolValue else { throw fail("field 'disabled' is \(value.jsonText); expected true or false") }
      disabled = b
    }
    if let flag = settings["AzureWebJobs.\(name).Disabled"], flag.lowercased() == "true" || flag == "1" {
      disabled = true
    }
    guard let bindingsValue = object["bindings"] else { throw fail("field 'bindings' is missing") }
    guard let list = bindingsValue.arrayValue else {
      throw fail("field 'bindings' is \(bindingsValue.jsonText); expected an array")
    }
    var bindings: [BindingMetadata] = []
    for (i, item) in list.enumerated() {
      bindings.append(try parseBinding(item, index: i, fail: fail))
    }
    try validate(bindings, fail: fail)
    return FunctionMetadata(
      name: name, functionID: UUID().uuidString.lowercased(), directory: directory, scriptFile: scriptFile,
      entryPoint: entryPoint, bindings: bindings, isDisabled: disabled, sourceFile: file)
  }

  /// Parses one binding object (function.json style; also used for a worker's raw_bindings).
  package static func parseBinding(
    _ item: JSONValue, index i: Int, fail: (String) -> FunctionsHostError
  ) throws -> BindingMetadata {
    guard var fields = item.objectValue else {
      throw fail("field 'bindings[\(i)]' is \(item.jsonText); expected an object")
    }
    func take(_ key: String) -> JSONValue? {
      guard let k = fields.keys.first(where: { $0.lowercased() == key.lowercased() }) else { return nil }
      return fields.removeValue(forKey: k)
    }
    guard let type = take("type")?.stringValue, !type.isEmpty else {
      throw fail("field 'bindings[\(i)].type' is missing or not a string")
    }
    guard let name = take("name")?.stringValue, !name.isEmpty else {
      throw fail("field 'bindings[\(i)].name' is missing or not a string")
    }
    guard name == "$return" || isValidBindingName(name) else {
      throw fail("field 'bindings[\(i)].name' is \"\(name)\"; a binding name must be an identifier or $return")
    }
    let directionValue = take("direction")
    guard let directionText = directionValue?.stringValue else {
      throw fail("field 'bindings[\(i)].direction' is missing; expected \"in\", \"out\" or \"inout\"")
    }
    let direction: BindingMetadata.Direction
    switch directionText.lowercased() {
    case "in": direction = .in
    case "out": direction = .out
    case "inout": direction = .inout
    default:
      throw fail("field 'bindings[\(i)].direction' is \"\(directionText)\"; expected \"in\", \"out\" or \"inout\"")
    }
    var dataType: String? = nil
    if let dt = take("dataType") {
      guard let s = dt.stringValue, ["string", "binary", "stream", "undefined"].contains(s.lowercased()) else {
        throw fail("field 'bindings[\(i)].dataType' is \(dt.jsonText); expected string, binary or stream")
      }
      dataType = s.lowercased()
    }
    let binding = BindingMetadata(name: name, type: type, direction: direction, dataType: dataType, properties: fields)
    if binding.isHTTPTrigger, let methods = binding.property("methods") {
      guard let array = methods.arrayValue, array.allSatisfy({ $0.stringValue != nil }) else {
        throw fail("field 'bindings[\(i)].methods' is \(methods.jsonText); expected an array of method names")
      }
    }
    if binding.isHTTPTrigger, let level = binding.property("authLevel") {
      guard let s = level.stringValue, ["anonymous", "function", "admin", "user", "system"].contains(s.lowercased())
      else {
        throw fail("field 'bindings[\(i)].authLevel' is \(level.jsonText); expected anonymous, function or admin")
      }
    }
    return binding
  }

  private static func isValidBindingName(_ name: String) -> Bool {
    guard let first = name.unicodeScalars.first,
      (first >= "a" && first <= "z") || (first >= "A" && first <= "Z") || first == "_"
    else { return false }
    return name.unicodeScalars.allSatisfy {
      ($0 >= "a" && $0 <= "z") || ($0 >= "A" && $0 <= "Z") || ($0 >= "0" && $0 <= "9") || $0 == "_"
    }
  }

  /// One trigger, unique names.
  package static func validate(_ bindings: [BindingMetadata], fail: (String) -> FunctionsHostError) throws {
    let triggers = bindings.filter(\.isTrigger)
    if triggers.isEmpty { throw fail("no trigger binding; a function needs exactly one binding whose type ends in 'Trigger'") }
    if triggers.count > 1 {
      throw fail("\(triggers.count) trigger bindings (\(triggers.map(\.name).joined(separator: ", "))); exactly one is allowed")
    }
    var seen = Set<String>()
    for b in bindings {
      guard seen.insert(b.name.lowercased()).inserted else {
        throw fail("binding name '\(b.name)' is used twice; binding names must be unique")
      }
    }
  }
}
