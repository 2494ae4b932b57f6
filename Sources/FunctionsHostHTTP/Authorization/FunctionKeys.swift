/// The keys that open HTTP functions whose `authLevel` is `function` or `admin`, and the host's
/// `/admin` endpoints.
///
/// - A **function key** (``functionKeys``, per function name) opens that function.
/// - A **host key** (``hostKeys``, e.g. `default`) opens every function-level function.
/// - The **master key** (``masterKey``) opens everything: function- and admin-level functions
///   and the `/admin` endpoints (except `/admin/host/ping`, which is always open).
///
/// A request carries its key in the `x-functions-key` header or the `code` query parameter (the
/// header wins when both are present). Comparisons take the same time whatever the key.
///
/// The value never prints its keys: `description`, `debugDescription` and its mirror show only
/// key names.
///
/// ```swift
/// var keys = FunctionKeys.generate()                       // master + host "default"
/// let created = keys.addMissingFunctionKeys(for: functions)  // per function-level function
/// let frontDoor = HTTPFrontDoor(dispatcher: host, keys: keys)
/// ```
public struct FunctionKeys: Sendable, Hashable {
  /// The master (admin) key.
  public var masterKey: String
  /// Host-level keys by name (`default` first of all); each opens every function-level function.
  public var hostKeys: [String: String]
  /// Function keys: function name → key name → key.
  public var functionKeys: [String: [String: String]]

  /// Creates keys.
  public init(
    masterKey: String,
    hostKeys: [String: String] = [:],
    functionKeys: [String: [String: String]] = [:]
  ) {
    self.masterKey = masterKey
    self.hostKeys = hostKeys
    self.functionKeys = functionKeys
  }

  /// Whether `key` opens the function-level function `functionName`: one of its function keys,
  /// any host key, or the master key.
  public func opensFunction(_ functionName: String, with key: some StringProtocol) -> Bool {
    var found = Self.constantTimeEquals(key, masterKey)
    for value in hostKeys.values { found = Self.constantTimeEquals(key, value) || found }
    if let own = functionKeys[functionName] {
      for value in own.values { found = Self.constantTimeEquals(key, value) || found }
    }
    return found
  }

  /// Whether `key` is the master key.
  public func isMasterKey(_ key: some StringProtocol) -> Bool {
    Self.constantTimeEquals(key, masterKey)
  }

  /// Compares a candidate with a secret in a time that depends only on the secret's length
  /// (and not on where the first difference is).
  static func constantTimeEquals(_ candidate: some StringProtocol, _ secret: String) -> Bool {
    let candidateBytes = candidate.utf8
    var difference: UInt8 = candidateBytes.count == secret.utf8.count ? 0 : 1
    var iterator = candidateBytes.makeIterator()
    for byte in secret.utf8 {
      difference |= byte ^ (iterator.next() ?? ~byte)
    }
    return difference == 0 && !secret.isEmpty
  }
}

extension FunctionKeys: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
  /// Key names only, e.g. `FunctionKeys(master, host: [default], functions: [hello: [default]])`.
  public var description: String {
    let host = hostKeys.keys.sorted().joined(separator: ", ")
    let functions = functionKeys.keys.sorted().map { name in
      "\(name): [\(functionKeys[name]!.keys.sorted().joined(separator: ", "))]"
    }
    return
      "FunctionKeys(master, host: [\(host)], functions: [\(functions.joined(separator: ", "))])"
  }

  /// The same as ``description``: no key values.
  public var debugDescription: String { description }

  /// A mirror without key values (so `dump(keys)` prints no secrets).
  public var customMirror: Mirror {
    Mirror(
      self,
      children: [
        "hostKeyNames": hostKeys.keys.sorted(),
        "functionNames": functionKeys.keys.sorted(),
      ]
    )
  }
}
