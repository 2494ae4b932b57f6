/// Where a front door's ``FunctionKeys`` are kept, so that changes made through the key
/// management endpoints (`/admin/host/keys`, `/admin/functions/<name>/keys`) last, and reach
/// every host that shares the same place.
///
/// ```swift
/// struct InMemoryKeys: FunctionKeysStore {
///   let current: Mutex<FunctionKeys>
///   func update(_ change: @Sendable (inout FunctionKeys) -> Void) async throws -> FunctionKeys {
///     current.withLock { change(&$0); return $0 }
///   }
/// }
/// ```
public protocol FunctionKeysStore: Sendable {
  /// Applies `change` to the stored keys (read them, change them, write them back, retrying when
  /// another writer got there first) and returns the keys now in force.
  func update(_ change: @Sendable (inout FunctionKeys) -> Void) async throws -> FunctionKeys
}
