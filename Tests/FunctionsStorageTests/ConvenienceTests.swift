import Foundation
import FunctionsStorage
import Testing

@Suite("Store conveniences (shared store suite)")
struct ConvenienceTests {
  @Test(arguments: StoreFactory.all)
  func putMessageWithAzureDefaults(_ factory: StoreFactory) async throws {
    try await factory.withStore { store, clock in
      _ = try await store.createQueue("work", metadata: [:])
      let put = try await store.putMessage(queue: "work", body: Array("x".utf8))
      #expect(put.nextVisibleTime == clock.now)
      #expect(put.expirationTime == clock.now.addingTimeInterval(7 * 24 * 3600))
    }
  }

  @Test(arguments: StoreFactory.all)
  func putBlobFromBytesAndCollect(_ factory: StoreFactory) async throws {
    try await factory.withStore { store, _ in
      _ = try await store.createContainer("data", metadata: [:], publicAccess: nil)
      let bytes = (0..<2345).map { UInt8(truncatingIfNeeded: $0) }
      let put = try await store.putBlob(container: "data", name: "b", bytes: bytes)
      #expect(put.contentLength == 2345)
      let all = try await store.readBlob(container: "data", name: "b", range: nil, conditions: .none)
      #expect(try await all.collect() == bytes)
      let part = try await store.readBlob(container: "data", name: "b", range: ByteRange(start: 10, end: 19), conditions: .none)
      #expect(try await part.collect(maxBytes: 10) == Array(bytes[10...19]))
      let tooBig = try await store.readBlob(container: "data", name: "b", range: nil, conditions: .none)
      await expectStorageError(.invalidInput) { try await tooBig.collect(maxBytes: 2344) }
      _ = try await store.putBlob(container: "data", name: "empty", bytes: [])
      let empty = try await store.readBlob(container: "data", name: "empty", range: nil, conditions: .none)
      #expect(try await empty.collect(maxBytes: 0) == [])
    }
  }
}
