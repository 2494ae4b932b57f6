public import FunctionsHostCore

extension FunctionKeys {
  /// One key with its scope, for listing the keys that were just created.
  ///
  /// Like ``FunctionKeys``, it prints no key value: only ``value`` holds it.
  public struct Entry: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
  {
    /// The master key, a host key, or a function's key.
    public enum Scope: Sendable, Hashable {
      /// The master (admin) key.
      case master
      /// A host key (opens every function-level function).
      case host
      /// A key of one function.
      case function(String)
    }

    /// The key's scope.
    public var scope: Scope
    /// The key's name (`master`, `default`, …).
    public var name: String
    /// The key itself.
    public var value: String

    /// Creates an entry.
    public init(scope: Scope, name: String, value: String) {
      self.scope = scope
      self.name = name
      self.value = value
    }

    /// A label without the key value, e.g. `function 'hello' key 'default'`.
    public var description: String {
      switch scope {
      case .master: "master key"
      case .host: "host key '\(name)'"
      case .function(let function): "function '\(function)' key '\(name)'"
      }
    }

    /// The same as ``description``: no key value.
    public var debugDescription: String { description }

    /// A mirror without the key value.
    public var customMirror: Mirror {
      Mirror(self, children: ["scope": scope, "name": name])
    }
  }

  /// New keys: a random master key and a random host key named `default`.
  public static func generate() -> FunctionKeys {
    FunctionKeys(masterKey: randomKey(), hostKeys: ["default": randomKey()])
  }

  /// A new random key: 43 characters of URL-safe base64 (`A–Z a–z 0–9 - _`), 256 bits, so it
  /// needs no escaping in a query string.
  public static func randomKey() -> String {
    let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
    var generator = SystemRandomNumberGenerator()
    var bytes: [UInt8] = []
    bytes.reserveCapacity(32)
    for _ in 0 ..< 4 {
      var word: UInt64 = generator.next()
      for _ in 0 ..< 8 {
        bytes.append(UInt8(truncatingIfNeeded: word))
        word >>= 8
      }
    }
    // Base64url without padding: 6 bits per character.
    var out: [UInt8] = []
    out.reserveCapacity(43)
    var accumulator: UInt32 = 0
    var bits = 0
    for byte in bytes {
      accumulator = accumulator << 8 | UInt32(byte)
      bits += 8
      while bits >= 6 {
        bits -= 6
        out.append(alphabet[Int((accumulator >> UInt32(bits)) & 0x3F)])
      }
    }
    if bits > 0 { out.append(alphabet[Int((accumulator << UInt32(6 - bits)) & 0x3F)]) }
    return String(decoding: out, as: UTF8.self)
  }

  /// Adds a random `default` key for every HTTP-triggered function whose `authLevel` is
  /// `function` and that has no key yet (disabled functions included, so that enabling one later
  /// needs no new key).
  ///
  /// - Returns: the keys added, sorted by function name (empty when nothing was missing).
  public mutating func addMissingFunctionKeys(for functions: [FunctionMetadata]) -> [Entry] {
    var created: [Entry] = []
    for function in functions.sorted(by: { $0.name < $1.name }) {
      guard let trigger = function.trigger, trigger.isHTTPTrigger,
        AuthLevel(trigger) == .function, functionKeys[function.name]?.isEmpty ?? true
      else { continue }
      let key = Self.randomKey()
      functionKeys[function.name] = ["default": key]
      created.append(Entry(scope: .function(function.name), name: "default", value: key))
    }
    return created
  }

  /// Every key: the master key, then host keys and function keys sorted by name.
  public var entries: [Entry] {
    var all = [Entry(scope: .master, name: "master", value: masterKey)]
    for name in hostKeys.keys.sorted() {
      all.append(Entry(scope: .host, name: name, value: hostKeys[name]!))
    }
    for function in functionKeys.keys.sorted() {
      let keys = functionKeys[function]!
      for name in keys.keys.sorted() {
        all.append(Entry(scope: .function(function), name: name, value: keys[name]!))
      }
    }
    return all
  }
}
