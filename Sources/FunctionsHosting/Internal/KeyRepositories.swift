internal import FunctionsHostCore
internal import FunctionsHostHTTP
internal import FunctionsStorage

/// Where an application's keys live, and how they are first read.
protocol KeyRepository: FunctionKeysStore {
  /// Where the keys are, for people ("/home/ada/.cache/…/secrets/shop-….json").
  var location: String { get }
  /// The stored keys, or new ones written now; `created` lists what this call generated.
  func loadOrCreate() async throws -> (keys: FunctionKeys, created: [FunctionKeys.Entry])
}

/// Keys in the local secrets file (one host).
struct FileKeyRepository: KeyRepository {
  let file: FunctionKeysFile

  var location: String { file.path }

  func loadOrCreate() async throws -> (keys: FunctionKeys, created: [FunctionKeys.Entry]) {
    if let keys = try file.load() { return (keys, []) }
    let keys = FunctionKeys.generate()
    try file.save(keys)
    return (keys, keys.entries)
  }

  func update(_ change: @Sendable (inout FunctionKeys) -> Void) async throws -> FunctionKeys {
    var keys = try file.load() ?? .generate()
    change(&keys)
    try file.save(keys)
    return keys
  }
}

/// Keys in the shared store (a host document), so that every host on the store accepts the same
/// keys and a change made through one host reaches all of them, as the stock host keeps its
/// secrets in its storage account.
struct SharedKeyRepository: KeyRepository {
  /// The host document that holds the keys (the secrets file's JSON).
  static let documentName = "function-keys"
  /// How often a write is retried when other hosts keep changing the keys at the same moment.
  static let maxAttempts = 20

  let store: any FunctionsStore
  /// Keys to start from when the store has none yet (the local secrets file of a host that ran alone).
  let seed: FunctionKeysFile?
  let storeDescription: String

  var location: String { "the shared store (\(storeDescription), document '\(Self.documentName)')" }

  func loadOrCreate() async throws -> (keys: FunctionKeys, created: [FunctionKeys.Entry]) {
    for _ in 0..<Self.maxAttempts {
      if let document = try await store.hostDocument(Self.documentName) { return (try decode(document), []) }
      let seeded = try seed?.load()
      let keys = seeded ?? .generate()
      if try await store.putHostDocument(Self.documentName, content: FunctionKeysFile.encoded(keys), expectedVersion: nil) != nil {
        return (keys, seeded == nil ? keys.entries : [])
      }
      // Another host created them first: read theirs.
    }
    throw conflict()
  }

  /// The stored keys (`nil` when none were written yet).
  func current() async throws -> FunctionKeys? {
    try await store.hostDocument(Self.documentName).map(decode)
  }

  func update(_ change: @Sendable (inout FunctionKeys) -> Void) async throws -> FunctionKeys {
    for _ in 0..<Self.maxAttempts {
      let document = try await store.hostDocument(Self.documentName)
      var keys = try document.map(decode) ?? .generate()
      change(&keys)
      let written = try await store.putHostDocument(
        Self.documentName, content: FunctionKeysFile.encoded(keys), expectedVersion: document?.version)
      if written != nil { return keys }
    }
    throw conflict()
  }

  private func decode(_ document: HostDocument) throws -> FunctionKeys {
    try FunctionKeysFile.decode(document.content, source: location)
  }

  private func conflict() -> FunctionsHostError {
    FunctionsHostError(
      code: .configuration,
      message: "\(location): the keys changed \(Self.maxAttempts) times while this host tried to write them; try again")
  }
}
