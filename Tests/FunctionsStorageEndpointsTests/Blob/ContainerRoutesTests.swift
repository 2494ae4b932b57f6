import Foundation
import HTTPTypes
import NIOCore
import FunctionsStorage
import HummingbirdTesting
import Testing

@testable import FunctionsStorageEndpoints

@Suite("Blob endpoint: containers and listings (router)")
struct ContainerRoutesTests {
  @Test func createPropertiesMetadataDelete() async throws {
    try await StorageFixture.blob { client, _ in
      let created = try await client.send(.put, "/photos?restype=container", headers: ["x-ms-meta-Owner": "ada"])
      #expect(created.status == .created)
      let etag = try #require(created.header("etag"))
      #expect(created.header("last-modified")?.hasSuffix("GMT") == true)
      let conflict = try await client.send(.put, "/photos?restype=container")
      #expect(conflict.status == .conflict && conflict.errorCode == "ContainerAlreadyExists")

      let properties = try await client.send(.get, "/photos?restype=container")
      #expect(properties.status == .ok && properties.header("etag") == etag)
      #expect(properties.header("x-ms-meta-Owner") == "ada")
      #expect(properties.header("x-ms-lease-state") == "available")

      let set = try await client.send(.put, "/photos?restype=container&comp=metadata", headers: ["x-ms-meta-k": "v"])
      #expect(set.status == .ok)
      let metadata = try await client.send(.head, "/photos?restype=container&comp=metadata")
      #expect(metadata.header("x-ms-meta-k") == "v" && metadata.header("x-ms-meta-Owner") == nil)

      let acl = try await client.send(.get, "/photos?restype=container&comp=acl")
      #expect(acl.status == .ok && acl.text.contains("<SignedIdentifiers>"))

      #expect(try await client.send(.delete, "/photos?restype=container").status == .accepted)
      let gone = try await client.send(.head, "/photos?restype=container")
      #expect(gone.status == .notFound && gone.errorCode == "ContainerNotFound" && gone.body.readableBytes == 0)
      #expect(try await client.send(.put, "/photos").errorCode == "InvalidQueryParameterValue")
      #expect(try await client.send(.put, "/photos?restype=container&comp=lease").errorCode == "InvalidQueryParameterValue")
      #expect(
        try await client.send(.put, "/bad?restype=container", headers: ["x-ms-blob-public-access": "all"]).errorCode
          == "InvalidHeaderValue")
    }
  }

  @Test func listContainers() async throws {
    try await StorageFixture.blob { client, _ in
      for name in ["aa", "ab1", "ab2", "b"] {
        try await client.send(.put, "/\(name)xx?restype=container", headers: ["x-ms-meta-n": name])
      }
      let first = try await client.send(.get, "?comp=list&prefix=ab&maxresults=1&include=metadata")
      #expect(first.elements("Name") == ["ab1xx"])
      #expect(first.elements("n") == ["ab1"])
      let marker = try #require(first.elements("NextMarker").first)
      let second = try await client.send(.get, "?comp=list&prefix=ab&marker=\(marker)")
      #expect(second.elements("Name") == ["ab2xx"] && second.elements("NextMarker") == [""])
      #expect(second.elements("LeaseStatus") == ["unlocked"])
    }
  }

  @Test func listBlobsWithPagingMetadataAndDelimiter() async throws {
    try await StorageFixture.blob { client, _ in
      try await client.send(.put, "/box1?restype=container")
      for name in ["a.txt", "dir/x.txt", "dir/y.txt", "dir/sub/z.txt", "dis.txt", "e.txt"] {
        let response = try await client.send(
          .put, "/box1/\(name)", headers: ["x-ms-blob-type": "BlockBlob", "x-ms-meta-name": "m"], text: name)
        #expect(response.status == .created)
      }
      let all = try await client.send(.get, "/box1?restype=container&comp=list")
      #expect(all.elements("Name") == ["a.txt", "dir/sub/z.txt", "dir/x.txt", "dir/y.txt", "dis.txt", "e.txt"])
      #expect(all.elements("BlobType").allSatisfy { $0 == "BlockBlob" })
      #expect(all.elements("Content-Length").first == "5")
      #expect(!all.text.contains("<Metadata>"))

      let paged = try await client.send(.get, "/box1?restype=container&comp=list&prefix=di&maxresults=2&include=metadata")
      #expect(paged.elements("Name") == ["dir/sub/z.txt", "dir/x.txt"])
      #expect(paged.elements("name") == ["m", "m"])
      let marker = try #require(paged.elements("NextMarker").first)
      let rest = try await client.send(.get, "/box1?restype=container&comp=list&prefix=di&maxresults=2&marker=\(marker.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)")
      #expect(rest.elements("Name") == ["dir/y.txt", "dis.txt"])

      let grouped = try await client.send(.get, "/box1?restype=container&comp=list&delimiter=%2F")
      #expect(grouped.text.contains("<BlobPrefix><Name>dir/</Name></BlobPrefix>"))
      #expect(grouped.elements("Name") == ["a.txt", "dir/", "dis.txt", "e.txt"])

      let groupedPage = try await client.send(.get, "/box1?restype=container&comp=list&delimiter=%2F&maxresults=2")
      #expect(groupedPage.elements("Name") == ["a.txt", "dir/"])
      let next = try #require(groupedPage.elements("NextMarker").first)
      #expect(next == "dis.txt")
      let groupedRest = try await client.send(.get, "/box1?restype=container&comp=list&delimiter=%2F&maxresults=2&marker=\(next)")
      #expect(groupedRest.elements("Name") == ["dis.txt", "e.txt"])

      let inner = try await client.send(.get, "/box1?restype=container&comp=list&delimiter=%2F&prefix=dir%2F")
      #expect(inner.elements("Name") == ["dir/sub/", "dir/x.txt", "dir/y.txt"])
    }
  }
}
