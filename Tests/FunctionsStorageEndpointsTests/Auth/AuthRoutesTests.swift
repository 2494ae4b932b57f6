import Foundation
import HTTPTypes
import NIOCore
import FunctionsStorage
import HummingbirdTesting
import Testing

@testable import FunctionsStorageEndpoints

@Suite("Authentication (router)")
struct AuthRoutesTests {
  static let genericMessage = "Server failed to authenticate the request."

  @Test func unsignedQueueRequestsAreRefused() async throws {
    try await StorageFixture.queue { client, fixture in
      let response = try await client.signed(by: nil).send(.put, "/orders")
      #expect(response.status == .forbidden)
      #expect(response.errorCode == "AuthenticationFailed")
      #expect(response.text.contains(Self.genericMessage))
      #expect(try await fixture.store.queueInfo("orders") == nil)
    }
  }

  @Test func wrongKeyIsRefusedWithoutDetail() async throws {
    try await StorageFixture.queue { client, _ in
      let wrong = client.signed(by: SharedKeySigner(key: Data("not the key".utf8).base64EncodedString()))
      let response = try await wrong.send(.put, "/orders")
      #expect(response.status == .forbidden && response.errorCode == "AuthenticationFailed")
      #expect(!response.text.contains("string-to-sign") && !response.text.contains("signature mismatch"))
      let head = try await wrong.send(.head, "/orders?comp=metadata")
      #expect(head.status == .forbidden && head.errorCode == "AuthenticationFailed" && head.body.readableBytes == 0)
    }
  }

  @Test func otherAccountsAreRefused() async throws {
    try await StorageFixture.queue { client, _ in
      let other = client.signed(by: SharedKeySigner(account: "someoneelse"))
      let r1 = try await other.send(.put, "/orders")
      #expect(r1.status == .forbidden)
    }
  }

  @Test func configuredAccountAndKey() async throws {
    let key = Data((0..<64).map { UInt8($0) }).base64EncodedString()
    try await StorageFixture.queue(configure: {
      $0.accountName = "myaccount"
      $0.accountKey = key
    }) { client, _ in
      // The path starts with /devstoreaccount1: refused even though the signature is right for it.
      let devstore = client.signed(by: SharedKeySigner(account: "myaccount", key: key))
      let r2 = try await devstore.send(.put, "/orders")
      #expect(r2.status == .forbidden)
      let wellKnown = client.signed(by: SharedKeySigner())
      let r3 = try await wellKnown.send(.put, "/orders")
      #expect(r3.status == .forbidden)
    }
  }

  @Test func anonymousReadsOnlyForPublicContainers() async throws {
    try await StorageFixture.blob { client, _ in
      try await client.send(.put, "/private?restype=container")
      try await client.send(.put, "/blobs?restype=container", headers: ["x-ms-blob-public-access": "blob"])
      try await client.send(.put, "/open?restype=container", headers: ["x-ms-blob-public-access": "container"])
      for container in ["private", "blobs", "open"] {
        let put = try await client.send(.put, "/\(container)/a.txt", headers: ["x-ms-blob-type": "BlockBlob"], text: "hi")
        #expect(put.status == .created)
      }
      let anonymous = client.signed(by: nil)
      let r4 = try await anonymous.send(.get, "/private/a.txt")
      #expect(r4.status == .forbidden)
      let blobRead = try await anonymous.send(.get, "/blobs/a.txt")
      #expect(blobRead.status == .ok && blobRead.text == "hi")
      let r5 = try await anonymous.send(.head, "/open/a.txt")
      #expect(r5.status == .ok)
      let r6 = try await anonymous.send(.get, "/blobs?restype=container&comp=list")
      #expect(r6.status == .forbidden)
      let r7 = try await anonymous.send(.get, "/open?restype=container&comp=list")
      #expect(r7.status == .ok)
      let r8 = try await anonymous.send(.put, "/open/b.txt", headers: ["x-ms-blob-type": "BlockBlob"], text: "x")
      #expect(r8.status == .forbidden)
      let r9 = try await anonymous.send(.delete, "/open/a.txt")
      #expect(r9.status == .forbidden)
      let r10 = try await anonymous.send(.get, "?comp=list")
      #expect(r10.status == .forbidden)
      let r11 = try await anonymous.send(.get, "/missing/a.txt")
      #expect(r11.status == .forbidden)
    }
  }
}
