internal import Foundation
package import FunctionsHostCore

/// `host.json` → `extensions.queues`, with the stock defaults (storage-bindings.md §1.1).
package struct QueueListenerOptions: Sendable, Hashable {
  /// How a message body travels in the queue.
  package enum MessageEncoding: String, Sendable, Hashable {
    /// Base64 in `MessageText` (the stock default).
    case base64
    /// The body as is.
    case none
  }

  /// `batchSize`: messages fetched per receive (1…32; default 16).
  package var batchSize = 16
  /// `newBatchThreshold`: fetch again when fewer than this many are in flight (default batchSize/2 × cores).
  package var newBatchThreshold: Int
  /// `maxPollingInterval`: the longest idle back-off (default 1 minute; a message put through this host
  /// wakes its listener at once whatever this is).
  package var maxPollingInterval: Duration = .seconds(60)
  /// `visibilityTimeout`: the delay before a failed message is visible again (default 0).
  package var visibilityTimeout: Duration = .zero
  /// `maxDequeueCount`: attempts before the poison queue (default 5).
  package var maxDequeueCount = 5
  /// `messageEncoding` (default base64).
  package var messageEncoding = MessageEncoding.base64
  /// How long a received message stays invisible while its function runs; renewed at half of it.
  /// Not a stock setting: the stock host leases for 10 minutes, we lease for 30 seconds so that a host
  /// that dies gives its messages back within 30 seconds.
  package var leaseDuration: Duration = .seconds(30)

  /// The defaults for a machine with `processorCount` cores.
  package init(processorCount: Int) {
    newBatchThreshold = (batchSize / 2) * max(1, processorCount)
  }

  /// Reads `extensions.queues` of `hostJSON` (`file` names host.json in errors).
  ///
  /// - Throws: ``FunctionsHostError`` `.configuration` naming the field and value.
  package static func parse(_ hostJSON: HostJSON, file: String, processorCount: Int) throws -> QueueListenerOptions {
    var options = QueueListenerOptions(processorCount: processorCount)
    guard let section = hostJSON.extensions["queues"] else { return options }
    guard let object = section.objectValue else {
      throw FunctionsHostError(code: .configuration, message: "\(file): field 'extensions.queues' must be an object")
    }
    var thresholdSet = false
    for (key, value) in object {
      func bad(_ expected: String) -> FunctionsHostError {
        FunctionsHostError(
          code: .configuration,
          message: "\(file): field 'extensions.queues.\(key)' is \(value.jsonText); expected \(expected)")
      }
      func whole(_ range: ClosedRange<Int>) throws -> Int {
        guard case .number(let n) = value, n.rounded() == n, range.contains(Int(n)) else {
          throw bad("a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return Int(n)
      }
      func timeSpan(minimum: Duration) throws -> Duration {
        guard let text = value.stringValue, let d = TimeSpanText.parse(text), d >= minimum else {
          throw bad("a time span \"hh:mm:ss[.fff]\" of at least \(minimum)")
        }
        return d
      }
      switch key.lowercased() {
      case "batchsize": options.batchSize = try whole(1...32)
      case "newbatchthreshold":
        options.newBatchThreshold = try whole(0...10_000)
        thresholdSet = true
      case "maxpollinginterval": options.maxPollingInterval = try timeSpan(minimum: .milliseconds(100))
      case "visibilitytimeout": options.visibilityTimeout = try timeSpan(minimum: .zero)
      case "maxdequeuecount": options.maxDequeueCount = try whole(1...1_000)
      case "messageencoding":
        guard let e = value.stringValue.flatMap({ MessageEncoding(rawValue: $0.lowercased()) }) else {
          throw bad("\"base64\" or \"none\"")
        }
        options.messageEncoding = e
      default:
        continue  // other stock settings (maxRetryCount, …) are accepted and ignored
      }
    }
    if !thresholdSet { options.newBatchThreshold = (options.batchSize / 2) * max(1, processorCount) }
    return options
  }
}

/// .NET `TimeSpan` text as host.json writes it, read by the timer schedule's parser (so `24:00:00` is 24
/// days, as in .NET); unlike a timer interval, a setting may be zero.
package enum TimeSpanText {
  /// The duration, or `nil` when `text` is not a time span.
  package static func parse(_ text: String) -> Duration? {
    if let span = try? TimeSpanSchedule.parse(text) { return .nanoseconds(span.ticks * 100) }
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    let zero = !trimmed.isEmpty && trimmed.contains(":") && trimmed.allSatisfy { $0 == "0" || $0 == ":" || $0 == "." }
    return zero ? .zero : nil
  }
}
