internal import FunctionsHostCore
internal import FunctionsHostHTTP

/// The keys an application enforces, and where they live.
struct KeyState: Sendable {
  /// Where the keys are read and written.
  let repository: any KeyRepository
  /// What the front door enforces until ``completed(for:frontDoor:)`` has run: the file's keys, or,
  /// for keys in a shared store (not readable before the store has started), a random master key
  /// nobody knows, so that nothing is open in the meantime.
  let initial: FunctionKeys

  /// Keys in the local secrets file at `path`.
  static func file(path: String) throws(FunctionsHostError) -> KeyState {
    let file = FunctionKeysFile(path: path)
    return KeyState(repository: FileKeyRepository(file: file), initial: try file.load() ?? .generate())
  }

  /// Keys in the shared store, seeded from the local secrets file when the store has none yet.
  static func shared(_ repository: SharedKeyRepository) -> KeyState {
    KeyState(repository: repository, initial: .generate())
  }

  /// Reads (or creates) the keys, adds those the indexed functions lack, hands the result to the
  /// front door, and returns the created keys (for printing, once).
  func completed(
    for functions: [FunctionMetadata], frontDoor: HTTPFrontDoor
  ) async throws -> [FunctionKeys.Entry] {
    var (keys, created) = try await repository.loadOrCreate()
    var missing = keys
    let added = missing.addMissingFunctionKeys(for: functions)
    if !added.isEmpty {
      keys = try await repository.update { keys in
        for entry in added {
          guard case .function(let function) = entry.scope, keys.functionKeys[function]?.isEmpty ?? true else { continue }
          keys.functionKeys[function] = [entry.name: entry.value]
        }
      }
      created += added.filter { entry in
        guard case .function(let function) = entry.scope else { return false }
        return keys.functionKeys[function]?[entry.name] == entry.value
      }
    }
    frontDoor.updateKeys(keys)
    return created
  }
}
