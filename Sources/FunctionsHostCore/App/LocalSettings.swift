package import Foundation

/// `local.settings.json`: app settings for local runs.
public struct LocalSettings: Sendable, Hashable {
  /// `Values`: app settings, exported to the workers' environment.
  public var values: [String: String] = [:]
  /// `Host.LocalHttpPort`, if set.
  public var localHTTPPort: Int? = nil
  /// `Host.CORS`: allowed origins, comma-separated in the file.
  public var cors: [String] = []
  /// `Host.CORSCredentials`.
  public var corsCredentials: Bool = false

  /// No settings.
  public init() {}

  /// Parses local.settings.json text.
  ///
  /// - Throws: ``FunctionsHostError`` `.configuration` naming the file, field and value.
  package static func parse(_ data: Data, file: String) throws -> LocalSettings {
    let root: JSONValue
    do { root = try JSONValue.parse(data) } catch {
      throw FunctionsHostError(
        code: .configuration, message: "\(file): not valid JSON (\(HostJSON.describe(error)))", cause: error)
    }
    guard let object = root.objectValue else {
      throw FunctionsHostError(code: .configuration, message: "\(file): the top level must be a JSON object")
    }
    var settings = LocalSettings()
    if let encrypted = object["IsEncrypted"], encrypted.boolValue == true {
      throw FunctionsHostError(
        code: .configuration,
        message: "\(file): field 'IsEncrypted' is true, but functions-host cannot decrypt settings; "
          + "decrypt them (func settings decrypt) or set IsEncrypted to false with plain values")
    }
    if let values = object["Values"] {
      guard let dict = values.objectValue else {
        throw FunctionsHostError(code: .configuration, message: "\(file): field 'Values' must be an object")
      }
      for (key, value) in dict {
        switch value {
        case .string(let s): settings.values[key] = s
        case .number, .bool: settings.values[key] = value.jsonText
        case .null: continue
        default:
          throw FunctionsHostError(
            code: .configuration,
            message: "\(file): field 'Values.\(key)' is \(value.jsonText); app settings must be strings")
        }
      }
    }
    if let host = object["Host"]?.objectValue {
      if let port = host["LocalHttpPort"] {
        guard case .number(let n) = port, n >= 0, n < 65536, n.rounded() == n else {
          throw FunctionsHostError(
            code: .configuration, message: "\(file): field 'Host.LocalHttpPort' is \(port.jsonText); expected a port number")
        }
        settings.localHTTPPort = Int(n)
      }
      if let cors = host["CORS"]?.stringValue {
        settings.cors = cors.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
      }
      settings.corsCredentials = host["CORSCredentials"]?.boolValue ?? false
    }
    return settings
  }
}
