import Foundation
import FunctionsStorage
import Testing

@Suite("Blobs (shared store suite)")
struct BlobStoreTests {
  @Test(arguments: StoreFactory.all)
  func putThenReadRoundTripsContentAndProperties(_ factory: StoreFactory) async throws {
    try await factory.withStore { store, clock in
      _ = try await store.createContainer("data", metadata: [:], publicAccess: nil)
      let headers = BlobHTTPHeaders(
        contentType: "text/plain", contentEncoding: "identity", contentLanguage: "en",
        contentDisposition: "inline", cacheControl: "no-cache")
      // 2,500 bytes in uneven pieces: the SQLite factory stores 1,000-byte chunks.
      var state: UInt64 = 42
      let bytes = GeneratedBytes.fill(count: 2500, state: &state)
      let pieces = [Array(bytes[0..<1]), Array(bytes[1..<1700]), [], Array(bytes[1700...])]
      let put = try await store.putBlob(
        container: "data", name: "dir/file.bin", content: Pieces(pieces), headers: headers, metadata: ["m": "1"],
        conditions: .none)
      #expect(put.container == "data" && put.name == "dir/file.bin")
      #expect(put.contentLength == 2500)
      #expect(put.lastModified == clock.now && put.creationTime == clock.now)
      #expect(put.metadata == ["m": "1"])
      #expect(put.headers.contentType == "text/plain" && put.headers.cacheControl == "no-cache")
      #expect(put.etag.hasPrefix("\"0x8D") && put.etag.count == 19)

      #expect(try await store.blobProperties(container: "data", name: "dir/file.bin") == put)
      let download = try await store.readBlob(container: "data", name: "dir/file.bin", range: nil, conditions: .none)
      #expect(download.properties == put)
      #expect(download.range == 0...2499)
      let (read, sizes) = try await collect(download)
      #expect(read == bytes)
      #expect(sizes.allSatisfy { $0 <= 1000 })
    }
  }

  @Test(arguments: StoreFactory.all)
  func contentMD5IsKeptWhenSentAndComputedOtherwise(_ factory: StoreFactory) async throws {
    try await factory.withStore { store, _ in
      _ = try await store.createContainer("data", metadata: [:], publicAccess: nil)
      let sent = try await store.put("data", "a", "hello", headers: BlobHTTPHeaders(contentMD5: "c2VudA=="))
      #expect(sent.headers.contentMD5 == "c2VudA==")
      // MD5("The quick brown fox jumps over the lazy dog") = 9e107d9d372bb6826bd81d3542a419d6
      let computed = try await store.put("data", "b", "The quick brown fox jumps over the lazy dog")
      #expect(computed.headers.contentMD5 == "nhB9nTcrtoJr2B01QqQZ1g==")
      let empty = try await store.put("data", "c", "")
      #expect(empty.headers.contentMD5 == "1B2M2Y8AsgTpgAmY7PhCfg==")
    }
  }

  @Test(arguments: StoreFactory.all)
  func overwriteKeepsCreationTimeAndChangesETag(_ factory: StoreFactory) async throws {
    try await factory.withStore { store, clock in
      _ = try await store.createContainer("data", metadata: [:], publicAccess: nil)
      let first = try await store.put("data", "a", "one", metadata: ["v": "1"])
      clock.advance(by: .seconds(10))
      let second = try await store.put("data", "a", "two!")
      #expect(second.creationTime == first.creationTime)
      #expect(second.lastModified == clock.now)
      #expect(second.etag != first.etag)
      #expect(second.metadata.isEmpty)
      #expect(second.contentLength == 4)
      #expect(try await store.text("data", "a") == "two!")
    }
  }

  @Test(arguments: StoreFactory.all)
  func missingContainerOrBlob(_ factory: StoreFactory) async throws {
    try await factory.withStore { store, _ in
      await expectStorageError(.containerNotFound) { try await store.put("nope", "a", "x") }
      await expectStorageError(.containerNotFound) {
        try await store.readBlob(container: "nope", name: "a", range: nil, conditions: .none)
      }
      _ = try await store.createContainer("data", metadata: [:], publicAccess: nil)
      #expect(try await store.blobProperties(container: "data", name: "a") == nil)
      let error = await expectStorageError(.blobNotFound) {
        try await store.readBlob(container: "data", name: "a", range: nil, conditions: .none)
      }
      #expect(error?.message.contains("data") == true)
      await expectStorageError(.blobNotFound) { try await store.deleteBlob(container: "data", name: "a", conditions: .none) }
      await expectStorageError(.blobNotFound) {
        try await store.setBlobMetadata(container: "data", name: "a", metadata: [:], conditions: .none)
      }
      await expectStorageError(.blobNotFound) {
        try await store.setBlobHTTPHeaders(container: "data", name: "a", headers: BlobHTTPHeaders(), conditions: .none)
      }
      await expectStorageError(.invalidResourceName) { try await store.put("data", "", "x") }
      await expectStorageError(.invalidResourceName) { try await store.put("data", String(repeating: "n", count: 1025), "x") }
      try await store.put("data", String(repeating: "n", count: 1024), "x")
    }
  }

  @Test(arguments: StoreFactory.all)
  func ranges(_ factory: StoreFactory) async throws {
    try await factory.withStore { store, _ in
      _ = try await store.createContainer("data", metadata: [:], publicAccess: nil)
      let text = String((0..<3000).map { Character(UnicodeScalar(UInt8(97 + $0 % 26))) })
      try await store.put("data", "abc", text)
      let bytes = Array(text.utf8)

      let middle = try await store.readBlob(
        container: "data", name: "abc", range: ByteRange(start: 990, end: 2010), conditions: .none)
      #expect(middle.range == 990...2010)
      #expect(try await collect(middle).bytes == Array(bytes[990...2010]))

      let open = try await store.readBlob(container: "data", name: "abc", range: ByteRange(start: 2999, end: nil), conditions: .none)
      #expect(open.range == 2999...2999)
      #expect(try await collect(open).bytes == [bytes[2999]])

      let cut = try await store.readBlob(container: "data", name: "abc", range: ByteRange(start: 100, end: 33_554_431), conditions: .none)
      #expect(cut.range == 100...2999)
      #expect(try await collect(cut).bytes == Array(bytes[100...]))

      let error = await expectStorageError(.invalidRange) {
        try await store.readBlob(container: "data", name: "abc", range: ByteRange(start: 3000, end: nil), conditions: .none)
      }
      #expect(error?.code.status == 416)

      try await store.put("data", "empty", "")
      let empty = try await store.readBlob(container: "data", name: "empty", range: nil, conditions: .none)
      #expect(empty.range == nil && empty.properties.contentLength == 0)
      #expect(try await collect(empty).bytes.isEmpty)
      await expectStorageError(.invalidRange) {
        try await store.readBlob(container: "data", name: "empty", range: ByteRange(start: 0, end: 33_554_431), conditions: .none)
      }
    }
  }

  @Test(arguments: StoreFactory.all)
  func writeConditions(_ factory: StoreFactory) async throws {
    try await factory.withStore { store, clock in
      _ = try await store.createContainer("data", metadata: [:], publicAccess: nil)
      // If-None-Match * creates once, then fails with BlobAlreadyExists.
      let first = try await store.put("data", "a", "1", conditions: BlobConditions(ifNoneMatch: "*"))
      let exists = await expectStorageError(.blobAlreadyExists) {
        try await store.put("data", "a", "2", conditions: BlobConditions(ifNoneMatch: "*"))
      }
      #expect(exists?.code.status == 409)
      // If-Match needs the current ETag (quoted or bare); * needs the blob to exist.
      await expectStorageError(.conditionNotMet) {
        try await store.put("data", "a", "2", conditions: BlobConditions(ifMatch: "\"0x8D0000000000000\""))
      }
      await expectStorageError(.conditionNotMet) {
        try await store.put("data", "new", "2", conditions: BlobConditions(ifMatch: "*"))
      }
      let second = try await store.put("data", "a", "2", conditions: BlobConditions(ifMatch: first.etag))
      let bare = String(second.etag.dropFirst().dropLast())
      let third = try await store.put("data", "a", "3", conditions: BlobConditions(ifMatch: bare))
      _ = try await store.put("data", "a", "4", conditions: BlobConditions(ifMatch: "*"))
      await expectStorageError(.conditionNotMet) {
        try await store.put("data", "a", "5", conditions: BlobConditions(ifMatch: third.etag))
      }
      #expect(try await store.text("data", "a") == "4")

      // Dates compare to the second.
      let current = try #require(try await store.blobProperties(container: "data", name: "a"))
      clock.advance(by: .seconds(60))
      await expectStorageError(.conditionNotMet) {
        try await store.put("data", "a", "6", conditions: BlobConditions(ifModifiedSince: current.lastModified))
      }
      await expectStorageError(.conditionNotMet) {
        try await store.put(
          "data", "a", "6", conditions: BlobConditions(ifUnmodifiedSince: current.lastModified.addingTimeInterval(-1)))
      }
      _ = try await store.put(
        "data", "a", "6", conditions: BlobConditions(ifModifiedSince: current.lastModified.addingTimeInterval(-1)))
      let latest = try #require(try await store.blobProperties(container: "data", name: "a"))
      _ = try await store.put("data", "a", "7", conditions: BlobConditions(ifUnmodifiedSince: latest.lastModified))
      #expect(try await store.text("data", "a") == "7")
    }
  }

  @Test(arguments: StoreFactory.all)
  func failedConditionDoesNotReplaceContent(_ factory: StoreFactory) async throws {
    try await factory.withStore { store, _ in
      _ = try await store.createContainer("data", metadata: [:], publicAccess: nil)
      let original = try await store.put("data", "a", "original")
      await expectStorageError(.conditionNotMet) {
        try await store.putBlob(
          container: "data", name: "a", content: Pieces([[UInt8]](repeating: Array("z".utf8), count: 3000)),
          headers: BlobHTTPHeaders(), metadata: [:], conditions: BlobConditions(ifMatch: "\"nope\""))
      }
      #expect(try await store.text("data", "a") == "original")
      #expect(try await store.blobProperties(container: "data", name: "a") == original)
    }
  }

  @Test(arguments: StoreFactory.all)
  func failedUploadLeavesTheOldBlob(_ factory: StoreFactory) async throws {
    try await factory.withStore { store, _ in
      _ = try await store.createContainer("data", metadata: [:], publicAccess: nil)
      try await store.put("data", "a", "original")
      do {
        _ = try await store.putBlob(
          container: "data", name: "a", content: FailingPieces(pieces: [Array(repeating: 1, count: 2500)]),
          headers: BlobHTTPHeaders(), metadata: [:], conditions: .none)
        Issue.record("the upload should have failed")
      } catch {
        #expect(error is FailingPieces.Dropped)
      }
      #expect(try await store.text("data", "a") == "original")
    }
  }

  @Test(arguments: StoreFactory.all)
  func readConditions(_ factory: StoreFactory) async throws {
    try await factory.withStore { store, clock in
      _ = try await store.createContainer("data", metadata: [:], publicAccess: nil)
      let blob = try await store.put("data", "a", "content")
      clock.advance(by: .seconds(5))
      #expect(try await store.text("data", "a", conditions: BlobConditions(ifMatch: blob.etag)) == "content")
      #expect(try await store.text("data", "a", conditions: BlobConditions(ifNoneMatch: "\"other\"")) == "content")
      await expectStorageError(.conditionNotMet) {
        try await store.readBlob(container: "data", name: "a", range: nil, conditions: BlobConditions(ifMatch: "\"other\""))
      }
      await expectStorageError(.conditionNotMet) {
        try await store.readBlob(container: "data", name: "a", range: nil, conditions: BlobConditions(ifNoneMatch: blob.etag))
      }
      await expectStorageError(.conditionNotMet) {
        try await store.readBlob(
          container: "data", name: "a", range: nil, conditions: BlobConditions(ifModifiedSince: blob.lastModified))
      }
      #expect(
        try await store.text("data", "a", conditions: BlobConditions(ifUnmodifiedSince: blob.lastModified)) == "content")
      await expectStorageError(.conditionNotMet) {
        try await store.readBlob(
          container: "data", name: "a", range: nil,
          conditions: BlobConditions(ifUnmodifiedSince: blob.lastModified.addingTimeInterval(-1)))
      }
    }
  }

  @Test(arguments: StoreFactory.all)
  func metadataAndHeadersChangeTheETagButNotTheContent(_ factory: StoreFactory) async throws {
    try await factory.withStore { store, clock in
      _ = try await store.createContainer("data", metadata: [:], publicAccess: nil)
      let blob = try await store.put("data", "a", "content", headers: BlobHTTPHeaders(contentType: "text/plain"))
      clock.advance(by: .seconds(1))
      let withMetadata = try await store.setBlobMetadata(
        container: "data", name: "a", metadata: ["x": "y"], conditions: BlobConditions(ifMatch: blob.etag))
      #expect(withMetadata.etag != blob.etag)
      #expect(withMetadata.metadata == ["x": "y"])
      #expect(withMetadata.headers == blob.headers)
      #expect(withMetadata.lastModified == clock.now)
      #expect(withMetadata.creationTime == blob.creationTime)
      await expectStorageError(.conditionNotMet) {
        try await store.setBlobMetadata(container: "data", name: "a", metadata: [:], conditions: BlobConditions(ifMatch: blob.etag))
      }
      let withHeaders = try await store.setBlobHTTPHeaders(
        container: "data", name: "a", headers: BlobHTTPHeaders(contentType: "application/json"), conditions: .none)
      #expect(withHeaders.etag != withMetadata.etag)
      #expect(withHeaders.headers.contentType == "application/json")
      #expect(withHeaders.metadata == ["x": "y"])
      #expect(try await store.blobProperties(container: "data", name: "a") == withHeaders)
      #expect(try await store.text("data", "a") == "content")
    }
  }

  @Test(arguments: StoreFactory.all)
  func deleteWithConditions(_ factory: StoreFactory) async throws {
    try await factory.withStore { store, _ in
      _ = try await store.createContainer("data", metadata: [:], publicAccess: nil)
      let blob = try await store.put("data", "a", "content")
      await expectStorageError(.conditionNotMet) {
        try await store.deleteBlob(container: "data", name: "a", conditions: BlobConditions(ifMatch: "\"other\""))
      }
      try await store.deleteBlob(container: "data", name: "a", conditions: BlobConditions(ifMatch: blob.etag))
      #expect(try await store.blobProperties(container: "data", name: "a") == nil)
    }
  }

  @Test(arguments: StoreFactory.all)
  func listPagesWithPrefixesAndMarkers(_ factory: StoreFactory) async throws {
    try await factory.withStore { store, _ in
      _ = try await store.createContainer("data", metadata: [:], publicAccess: nil)
      _ = try await store.createContainer("other", metadata: [:], publicAccess: nil)
      for name in ["b/2", "a/1", "b/1", "b%_", "c", "b/3"] { try await store.put("data", name, name) }
      try await store.put("other", "b/9", "x")
      let first = try await store.listBlobs(container: "data", prefix: "b/", marker: nil, maxResults: 2)
      #expect(first.items.map(\.name) == ["b/1", "b/2"])
      #expect(first.items.allSatisfy { $0.container == "data" && $0.contentLength == 3 })
      #expect(first.nextMarker == "b/3")
      let second = try await store.listBlobs(container: "data", prefix: "b/", marker: first.nextMarker, maxResults: 2)
      #expect(second.items.map(\.name) == ["b/3"])
      #expect(second.nextMarker == nil)
      // LIKE wildcards in a prefix are literal.
      #expect(try await store.listBlobs(container: "data", prefix: "b%", marker: nil, maxResults: 10).items.map(\.name) == ["b%_"])
      let all = try await store.listBlobs(container: "data", prefix: nil, marker: nil, maxResults: 5000)
      #expect(all.items.map(\.name) == ["a/1", "b%_", "b/1", "b/2", "b/3", "c"])
      await expectStorageError(.containerNotFound) {
        try await store.listBlobs(container: "nope", prefix: nil, marker: nil, maxResults: 1)
      }
      await expectStorageError(.outOfRangeQueryParameterValue) {
        try await store.listBlobs(container: "data", prefix: nil, marker: nil, maxResults: 0)
      }
    }
  }
}
