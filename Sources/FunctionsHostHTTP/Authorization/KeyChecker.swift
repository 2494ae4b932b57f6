internal import FunctionsHostCore
internal import Hummingbird
internal import Synchronization

/// The front door's current ``FunctionKeys`` (replaceable while serving), and the checks.
///
/// `nil` keys mean authorization is off: every level is treated as anonymous.
final class KeyChecker: Sendable {
  private let keys: Mutex<FunctionKeys?>
  /// Where key changes made through the admin endpoints are written (`nil`: they cannot be made).
  let store: (any FunctionKeysStore)?
  /// `false`: functions are anonymous whatever their level; only `/admin` checks the master key.
  private let functionKeysRequired: Bool

  init(_ keys: FunctionKeys?, store: (any FunctionKeysStore)? = nil, functionKeysRequired: Bool = true) {
    self.keys = Mutex(keys)
    self.store = store
    self.functionKeysRequired = functionKeysRequired
  }

  /// The keys in force (`nil`: authorization is off).
  var current: FunctionKeys? { keys.withLock { $0 } }

  /// Whether keys are enforced.
  var isEnabled: Bool { keys.withLock { $0 != nil } }

  /// Replaces the keys (`nil` turns authorization off).
  func update(_ newKeys: FunctionKeys?) {
    keys.withLock { $0 = newKeys }
  }

  /// Whether `request` may call `functionName` at `level`.
  ///
  /// Costs one lock, a header lookup or a scan of the query, and a constant-time comparison per
  /// applicable key; anonymous routes cost nothing.
  func allows(_ head: HTTPRequest, level: AuthLevel, functionName: String) -> Bool {
    if level == .anonymous || !functionKeysRequired { return true }
    return keys.withLock { keys in
      guard let keys else { return true }
      guard let key = RequestKey.key(of: head) else { return false }
      switch level {
      case .anonymous: return true
      case .function: return keys.opensFunction(functionName, with: key)
      case .admin: return keys.isMasterKey(key)
      }
    }
  }

  /// Whether `request` may use the admin endpoints (the master key, also as a bearer token; or keys off).
  func allowsAdmin(_ head: HTTPRequest) -> Bool {
    keys.withLock { keys in
      guard let keys else { return true }
      guard let key = RequestKey.key(of: head) ?? RequestKey.bearer(of: head) else { return false }
      return keys.isMasterKey(key)
    }
  }
}
