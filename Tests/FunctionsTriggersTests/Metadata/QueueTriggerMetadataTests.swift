import Foundation
import FunctionsHostCore
import FunctionsRPC
import FunctionsStorage
import FunctionsTriggers
import Testing

@Suite("QueueTriggerMetadata")
struct QueueTriggerMetadataTests {
  @Test("stock keys with stock wire kinds")
  func keysAndKinds() {
    let data = QueueTriggerMetadata.make(
      message: Fixture.message(), decodedBody: Array("hello".utf8), methodName: "QueueTrigger", now: Fixture.now,
      randGuid: Fixture.guid)
    let m = data.triggerMetadata
    #expect(Set(m.keys) == ["QueueTrigger", "DequeueCount", "ExpirationTime", "Id", "InsertionTime", "NextVisibleTime", "PopReceipt", "sys"])
    #expect(m["QueueTrigger"] == .string("hello"))
    #expect(m["DequeueCount"] == .json("1"))
    #expect(m["ExpirationTime"] == .json(#""2019-10-16T17:58:31+00:00""#))
    #expect(m["InsertionTime"] == .json(#""2019-10-09T17:58:31+00:00""#))
    #expect(m["NextVisibleTime"] == .json(#""2019-10-09T18:08:31+00:00""#))
    #expect(m["Id"] == .string("800ae4b3-bdc5-4ef2-9a44-3e5d1b1a2f00"))
    #expect(m["PopReceipt"] == .string("AgAAAAMAAAAAAAAAAgtnj8x+1QE="))
    #expect(m["sys"] == .json(Fixture.sysJSON))
    #expect(Set(data.bindingData.keys) == Set(m.keys))
    #expect(data.bindingData["DequeueCount"] == .json(.number(1)))
    #expect(data.bindingData["Id"] == .string("800ae4b3-bdc5-4ef2-9a44-3e5d1b1a2f00"))
  }

  @Test("never sends int or double TypedData")
  func noNumbers() {
    let data = QueueTriggerMetadata.make(
      message: Fixture.message(body: #"{"n": 5, "x": 1.5, "b": true}"#, dequeueCount: 3),
      decodedBody: Array(#"{"n": 5, "x": 1.5, "b": true}"#.utf8), sys: Fixture.sys)
    for (key, value) in data.triggerMetadata {
      switch value.data {
      case .string?, .json?: continue
      default: Issue.record("\(key) is \(String(describing: value.data))")
      }
    }
  }

  @Test("a message that never expires gets DateTimeOffset.MaxValue (six digits)")
  func neverExpires() {
    let data = QueueTriggerMetadata.make(
      message: Fixture.message(expiration: .distantFuture), decodedBody: [], sys: Fixture.sys)
    #expect(data.triggerMetadata["ExpirationTime"] == .json(#""9999-12-31T23:59:59.999999+00:00""#))
  }

  @Test("QueueTrigger is left out when the body is not valid UTF-8")
  func invalidUTF8() {
    let data = QueueTriggerMetadata.make(message: Fixture.message(), decodedBody: [0xFF, 0xFE, 0x41], sys: Fixture.sys)
    #expect(data.triggerMetadata["QueueTrigger"] == nil)
    #expect(data.bindingData["QueueTrigger"] == nil)
  }

  @Test("a message without a pop receipt has no PopReceipt entry")
  func noPopReceipt() {
    var message = Fixture.message()
    message.popReceipt = nil
    #expect(QueueTriggerMetadata.make(message: message, decodedBody: [], sys: Fixture.sys).triggerMetadata["PopReceipt"] == nil)
  }

  @Test("JSON body: top-level properties added, strings as string, objects as json, arrays and null skipped")
  func jsonBody() {
    let body = #"{"name": "x", "count": 5, "price": 1.50, "ok": true, "nested": {"b": 1, "a": [2]}, "list": [1], "none": null}"#
    let data = QueueTriggerMetadata.make(message: Fixture.message(body: body), decodedBody: Array(body.utf8), sys: Fixture.sys)
    let m = data.triggerMetadata
    #expect(m["name"] == .string("x"))
    #expect(m["count"] == .string("5"))
    #expect(m["price"] == .string("1.50"))
    #expect(m["ok"] == .string("True"))
    #expect(m["nested"] == .json(#"{"b":1,"a":[2]}"#))
    #expect(m["list"] == nil)
    #expect(m["none"] == nil)
    #expect(data.bindingData["nested"] == .json(.object(["b": .number(1), "a": .array([.number(2)])])))
  }

  @Test("stock quirk: a body property overwrites metadata ignoring case, keeping the metadata's spelling")
  func jsonBodyOverwrites() {
    let body = #"{"id": "from-body", "DEQUEUECOUNT": "many"}"#
    let data = QueueTriggerMetadata.make(message: Fixture.message(body: body), decodedBody: Array(body.utf8), sys: Fixture.sys)
    #expect(data.triggerMetadata["Id"] == .string("from-body"))
    #expect(data.triggerMetadata["id"] == nil)
    #expect(data.triggerMetadata["DequeueCount"] == .string("many"))
    #expect(data.bindingData.value(forKeyIgnoringCase: "ID") == .string("from-body"))
  }

  @Test("no JSON body properties for dataType binary, arrays, or text that is not JSON", arguments: [
    (#"{"a": "b"}"#, "binary"), (#"[{"a": "b"}]"#, nil), ("{not json}", nil), ("plain", nil),
  ] as [(String, String?)])
  func noJSONBody(body: String, dataType: String?) {
    let data = QueueTriggerMetadata.make(
      message: Fixture.message(body: body), decodedBody: Array(body.utf8), dataType: dataType, sys: Fixture.sys)
    #expect(data.triggerMetadata.count == 8)
  }

  @Test("input value: string by default, bytes for binary, replacement characters for bad UTF-8")
  func inputValue() {
    #expect(QueueTriggerInput.typedData(decodedBody: Array("hé".utf8), dataType: nil) == .string("hé"))
    #expect(QueueTriggerInput.typedData(decodedBody: Array("hé".utf8), dataType: "string") == .string("hé"))
    #expect(QueueTriggerInput.typedData(decodedBody: [1, 2, 0xFF], dataType: "binary") == .bytes([1, 2, 0xFF]))
    #expect(QueueTriggerInput.typedData(decodedBody: [1, 2], dataType: "Binary") == .bytes([1, 2]))
    #expect(QueueTriggerInput.typedData(decodedBody: [0x41, 0xFF, 0x42], dataType: nil) == .string("A\u{FFFD}B"))
  }
}
