internal import Foundation
public import FunctionsHostCore

/// The local secrets file that holds an app's ``FunctionKeys``.
///
/// By default it lives in the host's cache folder, keyed by the app's absolute path
/// (``defaultPath(scriptRoot:cacheDirectory:)``), never inside the app: the script root is what
/// gets zipped, published and committed, and functions may serve files from it. The folder is
/// created `0700` and the file `0600`; writes are atomic (temporary file + rename).
///
/// The format, readable and editable by hand (add keys; change values):
///
/// ```json
/// {
///   "masterKey": "…",
///   "hostKeys": {"default": "…"},
///   "functionKeys": {"hello": {"default": "…"}}
/// }
/// ```
///
/// ```swift
/// let path = FunctionKeysFile.defaultPath(scriptRoot: root, cacheDirectory: cache)
/// let file = FunctionKeysFile(path: path)
/// var keys = try file.load() ?? .generate()
/// ```
public struct FunctionKeysFile: Sendable, Hashable {
  /// The file's path.
  public var path: String

  /// A secrets file at `path`.
  public init(path: String) {
    self.path = path
  }

  /// `<cacheDirectory>/secrets/<app folder name>-<16 hex digits>.json`, where the hex digits
  /// hash the script root's absolute, standardized path (FNV-1a, 64 bits).
  ///
  /// ```swift
  /// FunctionKeysFile.defaultPath(scriptRoot: "/srv/shop", cacheDirectory: "/home/ada/.cache/fh")
  /// // "/home/ada/.cache/fh/secrets/shop-<hash>.json"
  /// ```
  public static func defaultPath(scriptRoot: String, cacheDirectory: String) -> String {
    AppCacheLocation.path(scriptRoot: scriptRoot, cacheDirectory: cacheDirectory, folder: "secrets", fileExtension: "json")
  }

  /// Reads the keys; `nil` when the file does not exist.
  ///
  /// - Throws: ``FunctionsHostError`` `.configuration` naming the file and field when it cannot
  ///   be read or is not in the format above.
  public func load() throws(FunctionsHostError) -> FunctionKeys? {
    guard FileManager.default.fileExists(atPath: path) else { return nil }
    guard let data = FileManager.default.contents(atPath: path) else {
      throw FunctionsHostError(
        code: .configuration,
        message: "\(path): cannot read the secrets file"
      )
    }
    return try Self.decode([UInt8](data), source: path)
  }

  /// Keys in this file's format, read from `data`; `source` names where they came from in errors.
  ///
  /// - Throws: ``FunctionsHostError`` `.configuration` naming `source` and the field.
  public static func decode(_ bytes: [UInt8], source: String) throws(FunctionsHostError) -> FunctionKeys {
    let root: JSONValue
    do { root = try JSONValue.parse(Data(bytes)) } catch {
      throw FunctionsHostError(
        code: .configuration,
        message: "\(source): the secrets file is not valid JSON",
        cause: error
      )
    }
    func fail(_ message: String) -> FunctionsHostError {
      FunctionsHostError(code: .configuration, message: "\(source): \(message)")
    }
    guard let object = root.objectValue else {
      throw fail("the top level must be a JSON object")
    }
    guard let master = object["masterKey"]?.stringValue, !master.isEmpty else {
      throw fail("field 'masterKey' must be a non-empty string")
    }
    let host = try names(object["hostKeys"], field: "hostKeys", source: source)
    var functions: [String: [String: String]] = [:]
    if let value = object["functionKeys"], value != .null {
      guard let byFunction = value.objectValue else {
        throw fail("field 'functionKeys' must be an object of function name → {key name: key}")
      }
      for (function, keys) in byFunction {
        functions[function] = try names(keys, field: "functionKeys.\(function)", source: source)
      }
    }
    return FunctionKeys(masterKey: master, hostKeys: host, functionKeys: functions)
  }

  /// Writes the keys (creating the folder `0700` and the file `0600`), atomically.
  ///
  /// - Throws: ``FunctionsHostError`` `.configuration` naming the file when it cannot be written.
  public func save(_ keys: FunctionKeys) throws(FunctionsHostError) {
    let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
    let temporary = "\(path).\(ProcessInfo.processInfo.processIdentifier).tmp"
    do {
      try FileManager.default.createDirectory(
        atPath: directory,
        withIntermediateDirectories: true,
        attributes: [.posixPermissions: 0o700]
      )
      _ = FileManager.default.createFile(
        atPath: temporary,
        contents: Data(Self.json(keys).utf8),
        attributes: [.posixPermissions: 0o600]
      )
      try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: temporary)
      if rename(temporary, path) != 0 {
        throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
      }
    } catch {
      try? FileManager.default.removeItem(atPath: temporary)
      throw FunctionsHostError(
        code: .configuration,
        message: "\(path): cannot write the secrets file (\(error))",
        cause: error
      )
    }
  }

  /// The file's bytes for `keys` (UTF-8 JSON, sorted keys), as ``decode(_:source:)`` reads them.
  public static func encoded(_ keys: FunctionKeys) -> [UInt8] {
    Array(json(keys).utf8)
  }

  /// The file's text for `keys`, with sorted keys.
  static func json(_ keys: FunctionKeys) -> String {
    func object(_ names: [String: String], indent: String) -> String {
      if names.isEmpty { return "{}" }
      let items = names.keys.sorted().map {
        "\(indent)  \(JSONValue.quote($0)): \(JSONValue.quote(names[$0]!))"
      }
      return "{\n" + items.joined(separator: ",\n") + "\n\(indent)}"
    }
    let functions = keys.functionKeys.keys.sorted().map {
      "    \(JSONValue.quote($0)): \(object(keys.functionKeys[$0]!, indent: "    "))"
    }
    let functionsObject =
      functions.isEmpty ? "{}" : "{\n" + functions.joined(separator: ",\n") + "\n  }"
    return """
      {
        "masterKey": \(JSONValue.quote(keys.masterKey)),
        "hostKeys": \(object(keys.hostKeys, indent: "  ")),
        "functionKeys": \(functionsObject)
      }

      """
  }

  private static func names(
    _ value: JSONValue?,
    field: String,
    source: String
  ) throws(FunctionsHostError) -> [String: String] {
    func fail(_ message: String) -> FunctionsHostError {
      FunctionsHostError(code: .configuration, message: "\(source): \(message)")
    }
    guard let value, value != .null else { return [:] }
    guard let object = value.objectValue else {
      throw fail("field '\(field)' must be an object of key name → key")
    }
    var result: [String: String] = [:]
    for (name, key) in object {
      guard let text = key.stringValue, !text.isEmpty else {
        throw fail("field '\(field).\(name)' must be a non-empty string")
      }
      result[name] = text
    }
    return result
  }
}
