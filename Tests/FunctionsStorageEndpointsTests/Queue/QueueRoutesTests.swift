import Foundation
import HTTPTypes
import NIOCore
import FunctionsStorage
import HummingbirdTesting
import Testing

@testable import FunctionsStorageEndpoints

@Suite("Queue endpoint (router)")
struct QueueRoutesTests {
  private func message(_ text: String) -> String {
    "<?xml version='1.0' encoding='utf-8'?>\n<QueueMessage><MessageText>\(text)</MessageText></QueueMessage>"
  }

  @Test func createIsIdempotentForTheSameMetadata() async throws {
    try await StorageFixture.queue { client, _ in
      let created = try await client.send(.put, "/orders", headers: ["x-ms-meta-Owner": "ada"])
      #expect(created.status == .created)
      #expect(created.header("x-ms-request-id")?.count == 36)
      #expect(created.header("x-ms-version") == "2025-01-05")
      #expect(created.header("server") == "functions-host-storage")
      #expect(created.header("date")?.hasSuffix(" GMT") == true)
      let again = try await client.send(.put, "/orders", headers: ["x-ms-meta-Owner": "ada"])
      #expect(again.status == .noContent)
      let conflict = try await client.send(.put, "/orders", headers: ["x-ms-meta-Owner": "bob"])
      #expect(conflict.status == .conflict)
      #expect(conflict.errorCode == "QueueAlreadyExists")
      #expect(conflict.text.hasPrefix(#"<?xml version="1.0" encoding="utf-8"?><Error><Code>QueueAlreadyExists</Code><Message>"#))
      #expect(conflict.header("content-type") == "application/xml")
    }
  }

  @Test func invalidNamesAreRefused() async throws {
    try await StorageFixture.queue { client, _ in
      let response = try await client.send(.put, "/Bad_Name")
      #expect(response.status == .badRequest)
      #expect(response.errorCode == "InvalidResourceName")
    }
  }

  @Test func metadataAndCount() async throws {
    try await StorageFixture.queue { client, _ in
      try await client.send(.put, "/orders")
      try await client.send(.put, "/orders?comp=metadata", headers: ["x-ms-meta-Color": "blue"])
      try await client.send(.post, "/orders/messages", text: message("one"))
      let info = try await client.send(.get, "/orders?comp=metadata")
      #expect(info.status == .ok)
      #expect(info.header("x-ms-approximate-messages-count") == "1")
      #expect(info.header("x-ms-meta-Color") == "blue")
      let head = try await client.send(.head, "/orders?comp=metadata")
      #expect(head.status == .ok && head.body.readableBytes == 0)
      let missing = try await client.send(.get, "/nothing?comp=metadata")
      #expect(missing.status == .notFound && missing.errorCode == "QueueNotFound")
      let missingHead = try await client.send(.head, "/nothing?comp=metadata")
      #expect(missingHead.status == .notFound && missingHead.errorCode == "QueueNotFound")
      #expect(missingHead.body.readableBytes == 0)
    }
  }

  @Test func listQueuesPagesWithMarkers() async throws {
    try await StorageFixture.queue { client, _ in
      for name in ["alpha", "beta1", "beta2", "beta3"] {
        try await client.send(.put, "/\(name)", headers: ["x-ms-meta-n": name])
      }
      let first = try await client.send(.get, "?comp=list&prefix=beta&maxresults=2&include=metadata")
      #expect(first.status == .ok)
      #expect(first.elements("Name") == ["beta1", "beta2"])
      #expect(first.elements("n") == ["beta1", "beta2"])
      #expect(first.elements("MaxResults") == ["2"])
      let marker = try #require(first.elements("NextMarker").first)
      #expect(!marker.isEmpty)
      let second = try await client.send(.get, "?comp=list&prefix=beta&maxresults=2&marker=\(marker)")
      #expect(second.elements("Name") == ["beta3"])
      #expect(second.elements("NextMarker") == [""])
      #expect(!second.text.contains("<Metadata>"))
    }
  }

  @Test func putReceivePeekUpdateDelete() async throws {
    try await StorageFixture.queue { client, _ in
      try await client.send(.put, "/orders")
      let put = try await client.send(.post, "/orders/messages", text: message("a &amp; &lt;b&gt; 'c'"))
      #expect(put.status == .created)
      let id = try #require(put.elements("MessageId").first)
      #expect(put.elements("InsertionTime").first?.hasSuffix("GMT") == true)
      #expect(put.elements("TimeNextVisible").count == 1)
      #expect(put.elements("MessageText").isEmpty)

      let peeked = try await client.send(.get, "/orders/messages?peekonly=true")
      #expect(peeked.elements("MessageText") == ["a &amp; &lt;b&gt; &apos;c&apos;"])
      #expect(peeked.elements("PopReceipt").isEmpty)
      #expect(peeked.elements("DequeueCount") == ["0"])

      let received = try await client.send(.get, "/orders/messages?numofmessages=5&visibilitytimeout=60")
      #expect(received.elements("MessageId") == [id])
      #expect(received.elements("DequeueCount") == ["1"])
      let receipt = try #require(received.elements("PopReceipt").first)
      #expect(try await client.send(.get, "/orders/messages").elements("MessageId").isEmpty)

      let wrong = try await client.send(.delete, "/orders/messages/\(id)?popreceipt=nope")
      #expect(wrong.status == .badRequest && wrong.errorCode == "PopReceiptMismatch")

      let encoded = receipt.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
      let updated = try await client.send(
        .put, "/orders/messages/\(id)?popreceipt=\(encoded)&visibilitytimeout=0", text: message("changed"))
      #expect(updated.status == .noContent)
      let newReceipt = try #require(updated.header("x-ms-popreceipt"))
      #expect(updated.header("x-ms-time-next-visible")?.hasSuffix("GMT") == true)
      #expect(try await client.send(.get, "/orders/messages?peekonly=true").elements("MessageText") == ["changed"])

      let stale = try await client.send(.delete, "/orders/messages/\(id)?popreceipt=\(encoded)")
      #expect(stale.errorCode == "PopReceiptMismatch")
      let deleted = try await client.send(
        .delete, "/orders/messages/\(id)?popreceipt=\(newReceipt.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)")
      #expect(deleted.status == .noContent)
      let gone = try await client.send(.delete, "/orders/messages/\(id)?popreceipt=x")
      #expect(gone.status == .notFound && gone.errorCode == "MessageNotFound")
    }
  }

  @Test func visibilityAndTimeToLive() async throws {
    try await StorageFixture.queue { client, _ in
      try await client.send(.put, "/orders")
      let never = try await client.send(.post, "/orders/messages?messagettl=-1", text: message("forever"))
      #expect(never.elements("ExpirationTime") == ["Fri, 31 Dec 9999 23:59:59 GMT"])
      try await client.send(.post, "/orders/messages?visibilitytimeout=3600", text: message("later"))
      let visible = try await client.send(.get, "/orders/messages?peekonly=true&numofmessages=32")
      #expect(visible.elements("MessageText") == ["forever"])
      let count = try await client.send(.get, "/orders?comp=metadata")
      #expect(count.header("x-ms-approximate-messages-count") == "2")
      let cleared = try await client.send(.delete, "/orders/messages")
      #expect(cleared.status == .noContent)
      #expect(try await client.send(.get, "/orders?comp=metadata").header("x-ms-approximate-messages-count") == "0")
    }
  }

  @Test func errorsAreAzureErrors() async throws {
    try await StorageFixture.queue { client, _ in
      try await client.send(.put, "/orders")
      let tooLarge = try await client.send(
        .post, "/orders/messages", text: message(String(repeating: "x", count: 64 * 1024 + 1)))
      #expect(tooLarge.status == .contentTooLarge && tooLarge.errorCode == "RequestBodyTooLarge")
      let exactly = try await client.send(.post, "/orders/messages", text: message(String(repeating: "x", count: 64 * 1024)))
      #expect(exactly.status == .created)
      let malformed = try await client.send(.post, "/orders/messages", text: "<QueueMessage><MessageText>x")
      #expect(malformed.status == .badRequest && malformed.errorCode == "InvalidXmlDocument")
      let count = try await client.send(.get, "/orders/messages?numofmessages=33")
      #expect(count.status == .badRequest && count.errorCode == "OutOfRangeQueryParameterValue")
      let notNumber = try await client.send(.get, "/orders/messages?visibilitytimeout=soon")
      #expect(notNumber.status == .badRequest && notNumber.errorCode == "InvalidQueryParameterValue")
      let verb = try await client.send(.patch, "/orders")
      #expect(verb.status == .methodNotAllowed && verb.errorCode == "UnsupportedHttpVerb")
      let comp = try await client.send(.get, "/orders?comp=acl")
      #expect(comp.status == .badRequest && comp.errorCode == "InvalidQueryParameterValue")
      let missing = try await client.send(.post, "/nothing/messages", text: message("x"))
      #expect(missing.status == .notFound && missing.errorCode == "QueueNotFound")
      let receipt = try await client.send(.delete, "/orders/messages/abc")
      #expect(receipt.status == .badRequest && receipt.errorCode == "MissingRequiredQueryParameter")
      let bigBody = try await client.send(.post, "/orders/messages", body: [UInt8](repeating: 0x20, count: 2 << 20))
      #expect(bigBody.status == .contentTooLarge)
    }
  }

  @Test func messagesAreStoredAsSentAndNeverBase64Decoded() async throws {
    try await StorageFixture.queue { client, fixture in
      try await client.send(.put, "/orders")
      try await client.send(.post, "/orders/messages", text: message("aGVsbG8="))
      let stored = try await fixture.store.peekMessages(queue: "orders", count: 1)
      #expect(stored.first?.body == Array("aGVsbG8=".utf8))
      _ = try await fixture.store.putMessage(
        queue: "orders", body: Array("from <the> store".utf8), visibilityDelay: .zero, timeToLive: nil)
      let peeked = try await client.send(.get, "/orders/messages?peekonly=true&numofmessages=2")
      #expect(peeked.elements("MessageText") == ["aGVsbG8=", "from &lt;the&gt; store"])
    }
  }

  @Test func sharedKeyLiteIsAccepted() async throws {
    try await StorageFixture.queue { client, _ in
      let lite = client.signed(by: SharedKeySigner(scheme: "SharedKeyLite"))
      let r1 = try await lite.send(.put, "/orders")
      #expect(r1.status == .created)
      let r2 = try await lite.send(.get, "/orders?comp=metadata")
      #expect(r2.status == .ok)
    }
  }

  @Test func deleteQueue() async throws {
    try await StorageFixture.queue { client, _ in
      try await client.send(.put, "/orders")
      #expect(try await client.send(.delete, "/orders").status == .noContent)
      #expect(try await client.send(.delete, "/orders").errorCode == "QueueNotFound")
    }
  }
}
