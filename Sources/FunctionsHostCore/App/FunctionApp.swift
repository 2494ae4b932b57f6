internal import Foundation

/// A function app on disk: its script root, host.json, local.settings.json and function.json functions.
public struct FunctionApp: Sendable {
  /// The script root (absolute path).
  public var scriptRoot: String
  /// Parsed host.json (defaults when absent).
  public var hostJSON: HostJSON
  /// Parsed local.settings.json (empty when absent).
  public var localSettings: LocalSettings
  /// Functions found in `*/function.json` folders.
  public var functions: [FunctionMetadata]
  /// Problems that cost one function each; the others still run.
  public var functionErrors: [FunctionsHostError]
  /// Non-fatal remarks (unknown host.json keys, …).
  public var warnings: [String]
  /// Whether the app has a decorator-model script (`function_app.py`).
  public var hasWorkerIndexedScript: Bool

  /// Reads an app from disk. `environment` is the host's environment: it wins over local.settings.json
  /// `Values` for the app settings read at load (`AzureWebJobs.<name>.Disabled`), as in Core Tools.
  ///
  /// - Throws: ``FunctionsHostError`` `.configuration` when the folder, host.json or
  ///   local.settings.json cannot be used; problems in one function are kept in ``functionErrors``.
  public static func load(scriptRoot: String, environment: [String: String] = [:]) throws -> FunctionApp {
    let root = (URL(fileURLWithPath: scriptRoot).standardizedFileURL.path as NSString).standardizingPath
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else {
      throw FunctionsHostError(
        code: .configuration, message: "\(root): the script root does not exist or is not a folder")
    }
    let hostFile = (root as NSString).appendingPathComponent("host.json")
    var host = HostJSON()
    var warnings: [String] = []
    if let data = try readIfPresent(hostFile) {
      (host, warnings) = try HostJSON.parse(data, file: hostFile)
    } else {
      warnings.append("\(hostFile): not found; using defaults (an Azure Functions app needs a host.json)")
    }
    let settingsFile = (root as NSString).appendingPathComponent("local.settings.json")
    var settings = LocalSettings()
    if let data = try readIfPresent(settingsFile) {
      settings = try LocalSettings.parse(data, file: settingsFile)
    }
    var effective = settings.values
    effective.merge(environment) { _, fromEnvironment in fromEnvironment }
    let scan = FunctionJSONIndexer.scan(scriptRoot: root, settings: effective)
    let scriptName = settings.values["PYTHON_SCRIPT_FILE_NAME"] ?? "function_app.py"
    let hasScript = FileManager.default.fileExists(atPath: (root as NSString).appendingPathComponent(scriptName))
    return FunctionApp(
      scriptRoot: root, hostJSON: host, localSettings: settings, functions: scan.functions,
      functionErrors: scan.errors, warnings: warnings, hasWorkerIndexedScript: hasScript)
  }

  /// The file's bytes; nil when it does not exist. A file that exists but cannot be read (EMFILE when
  /// the descriptor table is full, EACCES) is an error, never "missing".
  private static func readIfPresent(_ path: String) throws -> Data? {
    if let data = FileManager.default.contents(atPath: path) { return data }
    guard FileManager.default.fileExists(atPath: path) else { return nil }
    do {
      return try Data(contentsOf: URL(fileURLWithPath: path))
    } catch {
      throw FunctionsHostError(code: .configuration, message: "\(path): exists but cannot be read: \(error)")
    }
  }
}
