import FunctionsStorage
import Testing

@Suite("Host documents (shared store suite)")
struct HostDocumentStoreTests {
  @Test(arguments: StoreFactory.all)
  func documentsAreWrittenOnlyFromTheVersionTheWriterRead(_ factory: StoreFactory) async throws {
    try await factory.withStore { store, _ in
      #expect(try await store.hostDocument("keys") == nil)
      let first = try await store.putHostDocument("keys", content: [1, 2, 3], expectedVersion: nil)
      #expect(first == HostDocument(content: [1, 2, 3], version: 1))
      // A second "create" loses: the document exists.
      #expect(try await store.putHostDocument("keys", content: [9], expectedVersion: nil) == nil)
      // An update from a stale version loses; from the current one it wins and bumps the version.
      #expect(try await store.putHostDocument("keys", content: [9], expectedVersion: 7) == nil)
      let second = try await store.putHostDocument("keys", content: [4, 5], expectedVersion: 1)
      #expect(second == HostDocument(content: [4, 5], version: 2))
      #expect(try await store.hostDocument("keys") == second)
      // Documents are independent, and an empty document is a document.
      #expect(try await store.putHostDocument("other", content: [], expectedVersion: nil)?.version == 1)
      #expect(try await store.hostDocument("other")?.content == [])
    }
  }

  @Test(arguments: StoreFactory.all)
  func racingWritersFromOneVersionHaveOneWinner(_ factory: StoreFactory) async throws {
    try await factory.withStore { store, _ in
      _ = try await store.putHostDocument("keys", content: [0], expectedVersion: nil)
      let wins = try await withThrowingTaskGroup(of: Bool.self) { group in
        for index in 1...8 {
          group.addTask { try await store.putHostDocument("keys", content: [UInt8(index)], expectedVersion: 1) != nil }
        }
        return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
      }
      #expect(wins == 1)
      #expect(try await store.hostDocument("keys")?.version == 2)
    }
  }

  @Test(arguments: StoreFactory.all)
  func aWriteIsAnnouncedAsAChange(_ factory: StoreFactory) async throws {
    try await factory.withStore { store, _ in
      let changes = store.changes()
      _ = try await store.putHostDocument("keys", content: [1], expectedVersion: nil)
      var iterator = changes.makeAsyncIterator()
      #expect(await iterator.next() == .documentWritten(name: "keys"))
    }
  }
}
