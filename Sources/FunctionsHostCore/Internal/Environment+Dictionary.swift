package import Subprocess

extension Environment {
  /// A custom environment from a plain dictionary; names that are not valid variable names are skipped.
  package static func custom(dictionary: [String: String]) -> Environment {
    var keys: [Environment.Key: String] = [:]
    for (name, value) in dictionary {
      if let key = Environment.Key(rawValue: name) { keys[key] = value }
    }
    return .custom(keys)
  }
}
