import Foundation
import FunctionsHostCore
import FunctionsRPC
import FunctionsStorage
import FunctionsTriggers
import Testing

@Suite("BlobTriggerMetadata")
struct BlobTriggerMetadataTests {
  static let properties = BlobProperties(
    container: "samples", name: "dir/x.txt", contentLength: 11, etag: "\"0x8D0000000000001\"",
    lastModified: Date(timeIntervalSince1970: 1_571_248_711), creationTime: Date(timeIntervalSince1970: 1_571_248_700),
    headers: BlobHTTPHeaders(contentType: "text/plain", contentMD5: "XrY7u+Ae7tCTyyK7j1rNww=="),
    metadata: ["owner": "ann", "Color": "blue"])

  @Test("stock keys, kinds and Properties shape")
  func keys() {
    let data = BlobTriggerMetadata.make(
      properties: Self.properties, uri: "http://127.0.0.1:10000/devstoreaccount1/samples/dir/x.txt",
      captures: ["name": "x"], sys: Fixture.sys)
    let m = data.triggerMetadata
    #expect(Set(m.keys) == ["BlobTrigger", "Uri", "Properties", "Metadata", "name", "sys"])
    #expect(m["BlobTrigger"] == .string("samples/dir/x.txt"))
    #expect(m["Uri"] == .json(#""http://127.0.0.1:10000/devstoreaccount1/samples/dir/x.txt""#))
    #expect(m["Metadata"] == .json(#"{"Color":"blue","owner":"ann"}"#))
    #expect(m["name"] == .string("x"))
    #expect(m["sys"] == .json(Fixture.sysJSON))
    let expected =
      #"{"LastModified":"2019-10-16T17:58:31+00:00","CreatedOn":"2019-10-16T17:58:20+00:00","#
      + #""Metadata":{"Color":"blue","owner":"ann"},"BlobType":"BlockBlob","ContentLength":11,"#
      + #""ContentType":"text/plain","ETag":"\"0x8D0000000000001\"","ContentMD5":"XrY7u+Ae7tCTyyK7j1rNww==","#
      + #""ContentHash":"XrY7u+Ae7tCTyyK7j1rNww==","ContentEncoding":null,"ContentDisposition":null,"#
      + #""ContentLanguage":null,"CacheControl":null}"#
    #expect(m["Properties"] == .json(expected))
    // The wire JSON and the binding-data value agree.
    let parsed = try? JSONValue.parse(Data(expected.utf8))
    #expect(data.bindingData["Properties"] == parsed.map { .json($0) })
  }

  @Test("a capture named like a standard key wins, as in stock")
  func captureWins() {
    let data = BlobTriggerMetadata.make(
      properties: Self.properties, uri: "u", captures: ["uri": "captured"], sys: Fixture.sys)
    #expect(data.triggerMetadata["Uri"] == .string("captured"))
    #expect(data.triggerMetadata["uri"] == nil)
  }

  @Test("trigger value is always bytes; input follows dataType; a missing blob is empty")
  func values() {
    #expect(BlobInputValue.triggerValue(content: [1, 2]) == .bytes([1, 2]))
    #expect(BlobInputValue.inputValue(content: Array("hi".utf8), dataType: nil) == .string("hi"))
    #expect(BlobInputValue.inputValue(content: Array("hi".utf8), dataType: "string") == .string("hi"))
    #expect(BlobInputValue.inputValue(content: [0xFF], dataType: "binary") == .bytes([0xFF]))
    #expect(BlobInputValue.inputValue(content: nil, dataType: "binary").data == nil)
  }
}

@Suite("TimerTriggerPayload")
struct TimerTriggerPayloadTests {
  @Test("TimerInfo JSON with a status")
  func withStatus() {
    let status = ScheduleStatus(
      last: Date(timeIntervalSince1970: 1_475_576_100), next: Date(timeIntervalSince1970: 1_475_576_400),
      lastUpdated: Date(timeIntervalSince1970: 1_475_576_160))
    #expect(
      TimerTriggerPayload.make(isPastDue: false, status: status)
        == .json(
          #"{"Schedule":{"AdjustForDST":true},"ScheduleStatus":{"Last":"2016-10-04T10:15:00+00:00","#
            + #""Next":"2016-10-04T10:20:00+00:00","LastUpdated":"2016-10-04T10:16:00+00:00"},"IsPastDue":false}"#))
  }

  @Test("TimerInfo JSON without a monitor, past due")
  func withoutStatus() {
    #expect(
      TimerTriggerPayload.make(isPastDue: true, status: nil)
        == .json(#"{"Schedule":{"AdjustForDST":true},"ScheduleStatus":null,"IsPastDue":true}"#))
  }

  @Test("metadata is only sys")
  func metadata() {
    let data = TimerTriggerPayload.metadata(methodName: "QueueTrigger", now: Fixture.now, randGuid: Fixture.guid)
    #expect(data.triggerMetadata == ["sys": .json(Fixture.sysJSON)])
    #expect(SystemBindingData(from: data.bindingData["sys"]) == Fixture.sys)
  }
}
