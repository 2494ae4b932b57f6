internal import Foundation
internal import NIOCore

/// Protobuf wire primitives for the hand-written encoders: sizes and writes of varints, tags and
/// length-delimited fields (strings, bytes, map entries of two strings).
enum ProtoWire {
  /// Bytes taken by `value` as a varint.
  @inline(__always)
  static func varintSize(_ value: Int) -> Int {
    var v = UInt64(truncatingIfNeeded: value)
    var n = 1
    while v >= 0x80 {
      v >>= 7
      n += 1
    }
    return n
  }

  /// Bytes taken by a length-delimited field with `length` bytes of content.
  @inline(__always)
  static func delimited(_ field: Int, _ length: Int) -> Int {
    varintSize(field << 3) + varintSize(length) + length
  }

  /// Bytes taken by a string field (written even when empty: oneof members, map entries).
  @inline(__always)
  static func string(_ field: Int, _ text: String) -> Int {
    delimited(field, text.utf8.count)
  }

  /// Bytes taken by a proto3 string field: nothing when empty.
  @inline(__always)
  static func optionalString(_ field: Int, _ text: String) -> Int {
    text.isEmpty ? 0 : delimited(field, text.utf8.count)
  }

  /// Content bytes of a `map<string, string>` entry.
  @inline(__always)
  static func entry(_ key: String, _ value: String) -> Int {
    string(1, key) + string(2, value)
  }

  /// Bytes taken by a `map<string, string>` field.
  static func stringMap(_ field: Int, _ map: [String: String]) -> Int {
    var total = 0
    for (key, value) in map { total += delimited(field, entry(key, value)) }
    return total
  }
}

extension ByteBuffer {
  @inline(__always)
  mutating func writeVarint(_ value: Int) {
    var v = UInt64(truncatingIfNeeded: value)
    while v >= 0x80 {
      writeInteger(UInt8(truncatingIfNeeded: v) | 0x80)
      v >>= 7
    }
    writeInteger(UInt8(truncatingIfNeeded: v))
  }

  /// The tag and length of a length-delimited field whose content follows.
  @inline(__always)
  mutating func writeDelimitedHeader(_ field: Int, _ length: Int) {
    writeVarint(field << 3 | 2)
    writeVarint(length)
  }

  /// A string field (written even when empty).
  @inline(__always)
  mutating func writeStringField(_ field: Int, _ text: String) {
    writeDelimitedHeader(field, text.utf8.count)
    writeString(text)
  }

  /// A proto3 string field: nothing when empty.
  @inline(__always)
  mutating func writeOptionalStringField(_ field: Int, _ text: String) {
    if !text.isEmpty { writeStringField(field, text) }
  }

  /// A bytes field (written even when empty).
  @inline(__always)
  mutating func writeBytesField(_ field: Int, _ bytes: Data) {
    writeDelimitedHeader(field, bytes.count)
    writeBytes(bytes)
  }

  /// A `map<string, string>` field, entries in the dictionary's order (as SwiftProtobuf writes them).
  mutating func writeStringMap(_ field: Int, _ map: [String: String]) {
    for (key, value) in map {
      writeDelimitedHeader(field, ProtoWire.entry(key, value))
      writeStringField(1, key)
      writeStringField(2, value)
    }
  }
}
