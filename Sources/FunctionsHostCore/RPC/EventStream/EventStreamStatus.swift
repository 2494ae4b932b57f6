/// A gRPC status the host ends an EventStream with (`grpc-status` and `grpc-message` trailers).
struct EventStreamStatus: Sendable, Hashable {
  /// The numeric gRPC status code.
  var code: Int
  /// A human message (sent percent-encoded).
  var message: String

  static func ok() -> Self { .init(code: 0, message: "") }
  static func invalidArgument(_ m: String) -> Self { .init(code: 3, message: m) }
  static func deadlineExceeded(_ m: String) -> Self { .init(code: 4, message: m) }
  static func alreadyExists(_ m: String) -> Self { .init(code: 6, message: m) }
  static func permissionDenied(_ m: String) -> Self { .init(code: 7, message: m) }
  static func resourceExhausted(_ m: String) -> Self { .init(code: 8, message: m) }
  static func failedPrecondition(_ m: String) -> Self { .init(code: 9, message: m) }
  static func unimplemented(_ m: String) -> Self { .init(code: 12, message: m) }
  static func `internal`(_ m: String) -> Self { .init(code: 13, message: m) }

  /// `message` percent-encoded as the gRPC spec asks for `grpc-message` (printable ASCII except `%`
  /// stays as is; everything else becomes `%XX` of its UTF-8 bytes).
  var encodedMessage: String {
    var out = ""
    out.reserveCapacity(message.utf8.count)
    for byte in message.utf8 {
      if byte >= 0x20 && byte <= 0x7E && byte != UInt8(ascii: "%") {
        out.unicodeScalars.append(Unicode.Scalar(byte))
      } else {
        let hex = String(byte, radix: 16, uppercase: true)
        out += byte < 0x10 ? "%0\(hex)" : "%\(hex)"
      }
    }
    return out
  }
}
