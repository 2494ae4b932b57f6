import Foundation
import FunctionsHostCore
import Testing

@testable import FunctionsTriggers

@Suite("host.json extensions.queues")
struct QueueListenerOptionsTests {
  private func hostJSON(_ text: String) throws -> HostJSON {
    try HostJSON.parse(Data(text.utf8), file: "host.json").0
  }

  @Test func stockDefaults() throws {
    let o = try QueueListenerOptions.parse(HostJSON(), file: "host.json", processorCount: 2)
    #expect(o.batchSize == 16)
    #expect(o.newBatchThreshold == 16)
    #expect(o.maxPollingInterval == .seconds(60))
    #expect(o.visibilityTimeout == .zero)
    #expect(o.maxDequeueCount == 5)
    #expect(o.messageEncoding == .base64)
  }

  @Test func readsEverySetting() throws {
    let json = try hostJSON(
      #"{"version":"2.0","extensions":{"queues":{"batchSize":8,"maxPollingInterval":"00:00:02","visibilityTimeout":"00:00:30","maxDequeueCount":3,"messageEncoding":"none"}}}"#
    )
    let o = try QueueListenerOptions.parse(json, file: "host.json", processorCount: 4)
    #expect(o.batchSize == 8)
    #expect(o.newBatchThreshold == 16)
    #expect(o.maxPollingInterval == .seconds(2))
    #expect(o.visibilityTimeout == .seconds(30))
    #expect(o.maxDequeueCount == 3)
    #expect(o.messageEncoding == MessageEncodingAlias.none)
  }

  @Test(arguments: [
    (#"{"batchSize":33}"#, "extensions.queues.batchSize"),
    (#"{"maxPollingInterval":"00:00:00.05"}"#, "extensions.queues.maxPollingInterval"),
    (#"{"messageEncoding":"utf8"}"#, "extensions.queues.messageEncoding"),
    (#"{"maxDequeueCount":0}"#, "extensions.queues.maxDequeueCount"),
  ])
  func badValuesNameTheField(section: String, field: String) throws {
    let json = try hostJSON(#"{"version":"2.0","extensions":{"queues":"# + section + "}}")
    #expect {
      try QueueListenerOptions.parse(json, file: "host.json", processorCount: 1)
    } throws: { error in
      (error as? FunctionsHostError)?.message.contains(field) == true
    }
  }

  @Test(arguments: [
    ("00:00:02", Duration.seconds(2)), ("00:01", .seconds(60)), ("1.00:00:00", .seconds(86_400)),
    ("24:00:00", .seconds(24 * 86_400)), ("00:00:00.250", .milliseconds(250)), ("00:00:00", .zero),
  ])
  func timeSpans(text: String, expected: Duration) {
    #expect(TimeSpanText.parse(text) == expected)
  }

  @Test(arguments: ["", "00:60:00", "abc", "00:00:xx", "-00:00:01"])
  func badTimeSpans(text: String) {
    #expect(TimeSpanText.parse(text) == nil)
  }
}

typealias MessageEncodingAlias = QueueListenerOptions.MessageEncoding
