/// Azure's limits on queue requests, shared by every store.
package enum MessageRules {
  /// The largest message body: 64 KiB, as Azure.
  package static let maximumMessageSize = 64 * 1024

  /// A body over 64 KiB is ``StorageError/Code/messageTooLarge``.
  package static func validateBody(_ body: [UInt8], queue: String) throws(StorageError) {
    guard body.count <= maximumMessageSize else {
      throw StorageError(
        code: .messageTooLarge,
        message: "a message for queue '\(queue)' is \(body.count) bytes; the limit is \(maximumMessageSize)")
    }
  }

  /// `numofmessages` must be 1–32.
  package static func validateCount(_ count: Int) throws(StorageError) {
    guard (1...32).contains(count) else {
      throw StorageError(code: .outOfRangeQueryParameterValue, message: "numofmessages must be 1-32; got \(count)")
    }
  }

  /// A visibility timeout must not be negative.
  package static func validateTimeout(_ timeout: Duration, queue: String) throws(StorageError) {
    guard timeout >= .zero else {
      throw StorageError(
        code: .outOfRangeQueryParameterValue, message: "visibilitytimeout must not be negative (queue '\(queue)')")
    }
  }
}
