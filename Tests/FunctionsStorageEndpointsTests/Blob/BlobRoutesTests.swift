import Foundation
import HTTPTypes
import NIOCore
import FunctionsStorage
import HummingbirdTesting
import Testing

@testable import FunctionsStorageEndpoints

@Suite("Blob endpoint: blobs (router)")
struct BlobRoutesTests {
  static let blockBlob = ["x-ms-blob-type": "BlockBlob"]

  private func withContainer(_ body: @escaping @Sendable (StorageClient, StorageFixture) async throws -> Void)
    async throws
  {
    try await StorageFixture.blob { client, fixture in
      #expect(try await client.send(.put, "/box1?restype=container").status == .created)
      try await body(client, fixture)
    }
  }

  @Test func putGetHead() async throws {
    try await withContainer { client, _ in
      let put = try await client.send(
        .put, "/box1/dir/hello%20world.txt",
        headers: Self.blockBlob.merging([
          "x-ms-blob-content-type": "text/plain", "x-ms-meta-Author": "ada", "x-ms-blob-cache-control": "no-cache",
        ]) { $1 }, text: "hello, world")
      #expect(put.status == .created)
      let etag = try #require(put.header("etag"))
      #expect(put.header("content-md5") == "5NfxtO0uQtFYmPSyewGdpA==")
      #expect(put.header("x-ms-request-server-encrypted") == "false")

      let get = try await client.send(.get, "/box1/dir/hello%20world.txt")
      #expect(get.status == .ok && get.text == "hello, world")
      #expect(get.header("etag") == etag)
      #expect(get.header("content-type") == "text/plain")
      #expect(get.header("content-length") == "12")
      #expect(get.header("cache-control") == "no-cache")
      #expect(get.header("x-ms-blob-type") == "BlockBlob")
      #expect(get.header("x-ms-meta-Author") == "ada")
      #expect(get.header("accept-ranges") == "bytes")
      #expect(get.header("x-ms-creation-time")?.hasSuffix("GMT") == true)
      #expect(get.header("last-modified")?.hasSuffix("GMT") == true)

      let head = try await client.send(.head, "/box1/dir/hello%20world.txt")
      #expect(head.status == .ok && head.body.readableBytes == 0)
      #expect(head.header("content-length") == "12" && head.header("etag") == etag)

      let exists = try await client.send(
        .put, "/box1/dir/hello%20world.txt", headers: Self.blockBlob.merging(["If-None-Match": "*"]) { $1 }, text: "x")
      #expect(exists.status == .conflict && exists.errorCode == "BlobAlreadyExists")

      let missing = try await client.send(.head, "/box1/nothing")
      #expect(missing.status == .notFound && missing.errorCode == "BlobNotFound" && missing.body.readableBytes == 0)
      let missingGet = try await client.send(.get, "/box1/nothing")
      #expect(missingGet.status == .notFound && missingGet.text.contains("<Code>BlobNotFound</Code>"))
      #expect(try await client.send(.get, "/nope/x").errorCode == "ContainerNotFound")
    }
  }

  @Test func ranges() async throws {
    try await withContainer { client, _ in
      try await client.send(.put, "/box1/digits", headers: Self.blockBlob, text: "0123456789")
      let middle = try await client.send(.get, "/box1/digits", headers: ["x-ms-range": "bytes=2-5"])
      #expect(middle.status == .partialContent && middle.text == "2345")
      #expect(middle.header("content-range") == "bytes 2-5/10")
      #expect(middle.header("content-length") == "4")
      #expect(middle.header("content-md5") == nil && middle.header("x-ms-blob-content-md5") != nil)

      let open = try await client.send(.get, "/box1/digits", headers: ["Range": "bytes=7-"])
      #expect(open.status == .partialContent && open.text == "789" && open.header("content-range") == "bytes 7-9/10")

      let sdk = try await client.send(.get, "/box1/digits", headers: ["x-ms-range": "bytes=0-33554431"])
      #expect(sdk.status == .partialContent && sdk.text == "0123456789")
      #expect(sdk.header("content-range") == "bytes 0-9/10")

      let past = try await client.send(.get, "/box1/digits", headers: ["x-ms-range": "bytes=10-20"])
      #expect(past.status == .rangeNotSatisfiable && past.errorCode == "InvalidRange")
      #expect(past.header("content-range") == "bytes */10")

      let malformed = try await client.send(.get, "/box1/digits", headers: ["x-ms-range": "bytes=5-2"])
      #expect(malformed.status == .badRequest && malformed.errorCode == "InvalidHeaderValue")
      let ignored = try await client.send(.get, "/box1/digits", headers: ["Range": "lines=1-2"])
      #expect(ignored.status == .ok && ignored.text == "0123456789")

      try await client.send(.put, "/box1/empty", headers: Self.blockBlob, body: [])
      let empty = try await client.send(.get, "/box1/empty", headers: ["x-ms-range": "bytes=0-33554431"])
      #expect(empty.status == .rangeNotSatisfiable && empty.errorCode == "InvalidRange")
      let emptyFull = try await client.send(.get, "/box1/empty")
      #expect(emptyFull.status == .ok && emptyFull.body.readableBytes == 0 && emptyFull.header("content-length") == "0")
    }
  }

  @Test func conditionalRequests() async throws {
    try await withContainer { client, _ in
      let put = try await client.send(.put, "/box1/b", headers: Self.blockBlob, text: "v1")
      let etag = try #require(put.header("etag"))
      let notModified = try await client.send(.get, "/box1/b", headers: ["If-None-Match": etag])
      #expect(notModified.status == .notModified && notModified.body.readableBytes == 0)
      #expect(notModified.header("etag") == etag)
      let future = HTTPDate.format(Date().addingTimeInterval(3600))
      #expect(try await client.send(.get, "/box1/b", headers: ["If-Modified-Since": future]).status == .notModified)
      let past = HTTPDate.format(Date().addingTimeInterval(-3600))
      #expect(try await client.send(.get, "/box1/b", headers: ["If-Modified-Since": past]).status == .ok)
      let mismatch = try await client.send(.get, "/box1/b", headers: ["If-Match": "\"0xother\""])
      #expect(mismatch.status == .preconditionFailed && mismatch.errorCode == "ConditionNotMet")
      #expect(try await client.send(.get, "/box1/b", headers: ["If-Match": etag]).text == "v1")
      let unmodified = try await client.send(.get, "/box1/b", headers: ["If-Unmodified-Since": past])
      #expect(unmodified.status == .preconditionFailed)
      let badDate = try await client.send(.get, "/box1/b", headers: ["If-Modified-Since": "soon"])
      #expect(badDate.errorCode == "InvalidHeaderValue")

      let stale = try await client.send(.put, "/box1/b", headers: Self.blockBlob.merging(["If-Match": "\"0xother\""]) { $1 }, text: "v2")
      #expect(stale.status == .preconditionFailed && stale.errorCode == "ConditionNotMet")
      let fresh = try await client.send(.put, "/box1/b", headers: Self.blockBlob.merging(["If-Match": etag]) { $1 }, text: "v2")
      #expect(fresh.status == .created && fresh.header("etag") != etag)
      let deleteStale = try await client.send(.delete, "/box1/b", headers: ["If-Match": etag])
      #expect(deleteStale.status == .preconditionFailed)
    }
  }

  @Test func blocksAndBlockLists() async throws {
    try await withContainer { client, _ in
      let ids = ["AAAA", "AAAB", "AAAC"]
      for (index, id) in ids.enumerated() {
        let response = try await client.send(.put, "/box1/big?comp=block&blockid=\(id)", text: "part\(index);")
        #expect(response.status == .created)
      }
      #expect(try await client.send(.head, "/box1/big").status == .notFound)
      let list = #"<?xml version="1.0" encoding="utf-8"?><BlockList><Latest>AAAA</Latest><Latest>AAAC</Latest></BlockList>"#
      let committed = try await client.send(
        .put, "/box1/big?comp=blocklist", headers: ["x-ms-blob-content-type": "text/x-parts", "x-ms-meta-k": "v"], text: list)
      #expect(committed.status == .created && committed.header("etag") != nil)
      let get = try await client.send(.get, "/box1/big")
      #expect(get.text == "part0;part2;" && get.header("content-type") == "text/x-parts" && get.header("x-ms-meta-k") == "v")

      let unknown = try await client.send(
        .put, "/box1/big2?comp=blocklist", text: "<BlockList><Latest>ZZZZ</Latest></BlockList>")
      #expect(unknown.status == .badRequest && unknown.errorCode == "InvalidBlockList")
      let malformed = try await client.send(.put, "/box1/big2?comp=blocklist", text: "<BlockList><Latest>")
      #expect(malformed.status == .badRequest && malformed.errorCode == "InvalidXmlDocument")
      let noID = try await client.send(.put, "/box1/big?comp=block", text: "x")
      #expect(noID.errorCode == "MissingRequiredQueryParameter")
    }
  }

  @Test func metadataPropertiesDelete() async throws {
    try await withContainer { client, _ in
      let put = try await client.send(.put, "/box1/b", headers: Self.blockBlob.merging(["x-ms-meta-a": "1"]) { $1 }, text: "x")
      let etag = try #require(put.header("etag"))
      let metadata = try await client.send(.put, "/box1/b?comp=metadata", headers: ["x-ms-meta-b": "2"])
      #expect(metadata.status == .ok && metadata.header("etag") != etag)
      let readBack = try await client.send(.get, "/box1/b?comp=metadata")
      #expect(readBack.header("x-ms-meta-b") == "2" && readBack.header("x-ms-meta-a") == nil)

      let properties = try await client.send(
        .put, "/box1/b?comp=properties",
        headers: ["x-ms-blob-content-type": "application/json", "x-ms-blob-content-disposition": "attachment"])
      #expect(properties.status == .ok)
      let head = try await client.send(.head, "/box1/b")
      #expect(head.header("content-type") == "application/json" && head.header("content-disposition") == "attachment")
      #expect(head.header("x-ms-meta-b") == "2")

      #expect(try await client.send(.delete, "/box1/b").status == .accepted)
      #expect(try await client.send(.delete, "/box1/b").errorCode == "BlobNotFound")
    }
  }

  @Test func unsupportedAndInvalidRequests() async throws {
    try await withContainer { client, _ in
      #expect(try await client.send(.put, "/box1/b", text: "x").errorCode == "MissingRequiredHeader")
      #expect(
        try await client.send(.put, "/box1/b", headers: ["x-ms-blob-type": "PageBlob"], text: "x").errorCode
          == "InvalidHeaderValue")
      #expect(
        try await client.send(.put, "/box1/b", headers: ["x-ms-copy-source": "http://x"]).errorCode
          == "InvalidQueryParameterValue")
      #expect(try await client.send(.put, "/box1/b?comp=lease").errorCode == "InvalidQueryParameterValue")
      let verb = try await client.send(.post, "/box1/b")
      #expect(verb.status == .methodNotAllowed && verb.errorCode == "UnsupportedHttpVerb")
      #expect(try await client.send(.get, "/box1/%ZZ").errorCode == "InvalidUri")
      let account = try await client.send(.get, "?restype=account&comp=properties")
      #expect(account.status == .ok && account.header("x-ms-sku-name") == "Standard_LRS")
    }
  }

  @Test func tooLargeUploadsAreRefused() async throws {
    try await StorageFixture.blob(configure: { $0.maxBlobRequestBodySize = 1000 }) { client, fixture in
      try await client.send(.put, "/box1?restype=container")
      let response = try await client.send(.put, "/box1/b", headers: Self.blockBlob, body: [UInt8](repeating: 1, count: 1001))
      #expect(response.status == .contentTooLarge && response.errorCode == "RequestBodyTooLarge")
      #expect(try await fixture.store.blobProperties(container: "box1", name: "b") == nil)
    }
  }

  @Test func streamedMultiMegabyteUploadAndDownload() async throws {
    try await withContainer { client, fixture in
      var generator = SystemRandomNumberGenerator()
      let content = (0..<(6 << 20)).map { _ in UInt8.random(in: 0...255, using: &generator) }
      let put = try await client.send(.put, "/box1/large.bin", headers: Self.blockBlob, body: content)
      #expect(put.status == .created)
      #expect(try await fixture.store.blobProperties(container: "box1", name: "large.bin")?.contentLength == Int64(content.count))
      let get = try await client.send(.get, "/box1/large.bin")
      #expect(get.status == .ok && get.bytes == content)
      let chunk = try await client.send(.get, "/box1/large.bin", headers: ["x-ms-range": "bytes=4194304-8388607"])
      #expect(chunk.status == .partialContent)
      #expect(chunk.header("content-range") == "bytes 4194304-6291455/6291456")
      #expect(chunk.bytes == Array(content[4_194_304...]))
    }
  }
}
