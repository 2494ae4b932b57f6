internal import GRPCCore

/// One gRPC message as raw bytes, so the scripted worker can send anything, including garbage.
struct RawFrame: Sendable {
  var bytes: [UInt8]
}

struct RawFrameSerializer: MessageSerializer {
  func serialize<Bytes: GRPCContiguousBytes>(_ message: RawFrame) throws -> Bytes { Bytes(message.bytes) }
}

struct RawFrameDeserializer: MessageDeserializer {
  func deserialize<Bytes: GRPCContiguousBytes>(_ serializedMessageBytes: Bytes) throws -> RawFrame {
    serializedMessageBytes.withUnsafeBytes { RawFrame(bytes: Array($0)) }
  }
}
