import Foundation
import FunctionsStorage
import Testing

@Suite("Containers (shared store suite)")
struct ContainerStoreTests {
  @Test(arguments: StoreFactory.all)
  func createInfoAndConflict(_ factory: StoreFactory) async throws {
    try await factory.withStore { store, clock in
      #expect(try await store.containerInfo("photos") == nil)
      let created = try await store.createContainer("photos", metadata: ["k": "v"], publicAccess: "blob")
      #expect(created.name == "photos")
      #expect(created.metadata == ["k": "v"])
      #expect(created.publicAccess == "blob")
      #expect(created.lastModified == clock.now)
      #expect(created.etag.hasPrefix("\"0x8D") && created.etag.hasSuffix("\"") && created.etag.count == 19)
      #expect(try await store.containerInfo("photos") == created)
      let error = await expectStorageError(.containerAlreadyExists) {
        try await store.createContainer("photos", metadata: ["k": "v"], publicAccess: "blob")
      }
      #expect(error?.message.contains("photos") == true)
      await expectStorageError(.invalidResourceName) {
        try await store.createContainer("Photos", metadata: [:], publicAccess: nil)
      }
    }
  }

  @Test(arguments: StoreFactory.all)
  func metadataGetsANewETag(_ factory: StoreFactory) async throws {
    try await factory.withStore { store, clock in
      let created = try await store.createContainer("photos", metadata: ["a": "1"], publicAccess: nil)
      clock.advance(by: .seconds(3))
      let updated = try await store.setContainerMetadata("photos", metadata: ["b": "2"])
      #expect(updated.metadata == ["b": "2"])
      #expect(updated.etag != created.etag)
      #expect(updated.lastModified == clock.now)
      #expect(try await store.containerInfo("photos") == updated)
      await expectStorageError(.containerNotFound) { try await store.setContainerMetadata("nope", metadata: [:]) }
    }
  }

  @Test(arguments: StoreFactory.all)
  func deleteRemovesItsBlobs(_ factory: StoreFactory) async throws {
    try await factory.withStore { store, _ in
      _ = try await store.createContainer("photos", metadata: [:], publicAccess: nil)
      try await store.put("photos", "a.txt", "hello")
      try await store.putBlock(container: "photos", name: "b.bin", blockID: "YQ==", content: Pieces("x"))
      try await store.deleteContainer("photos")
      #expect(try await store.containerInfo("photos") == nil)
      await expectStorageError(.containerNotFound) { try await store.deleteContainer("photos") }
      await expectStorageError(.containerNotFound) { try await store.blobProperties(container: "photos", name: "a.txt") }
      _ = try await store.createContainer("photos", metadata: [:], publicAccess: nil)
      #expect(try await store.blobProperties(container: "photos", name: "a.txt") == nil)
      #expect(try await store.listBlobs(container: "photos", prefix: nil, marker: nil, maxResults: 10).items.isEmpty)
      await expectStorageError(.invalidBlockList) {
        try await store.commitBlockList(
          container: "photos", name: "b.bin", blockIDs: ["YQ=="], headers: BlobHTTPHeaders(), metadata: [:],
          conditions: .none)
      }
    }
  }

  @Test(arguments: StoreFactory.all)
  func listPages(_ factory: StoreFactory) async throws {
    try await factory.withStore { store, _ in
      for name in ["logs-b", "logs-a", "data", "logs-c"] {
        _ = try await store.createContainer(name, metadata: ["n": name], publicAccess: nil)
      }
      let first = try await store.listContainers(prefix: "logs-", marker: nil, maxResults: 2)
      #expect(first.items.map(\.name) == ["logs-a", "logs-b"])
      #expect(first.items[0].metadata == ["n": "logs-a"])
      #expect(first.nextMarker == "logs-c")
      let second = try await store.listContainers(prefix: "logs-", marker: first.nextMarker, maxResults: 2)
      #expect(second.items.map(\.name) == ["logs-c"])
      #expect(second.nextMarker == nil)
      let all = try await store.listContainers(prefix: nil, marker: nil, maxResults: 5000)
      #expect(all.items.map(\.name) == ["data", "logs-a", "logs-b", "logs-c"])
      await expectStorageError(.outOfRangeQueryParameterValue) {
        try await store.listContainers(prefix: nil, marker: nil, maxResults: 0)
      }
    }
  }
}
