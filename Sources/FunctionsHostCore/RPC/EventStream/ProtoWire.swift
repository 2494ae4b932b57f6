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

/// Writes protobuf fields into memory reserved for exactly the message's computed size: no capacity or
/// uniqueness check per field (a `ByteBuffer` write per byte made writing cost as much as sizing).
struct ProtoWriter: ~Copyable {
  private let base: UnsafeMutableRawPointer
  private let capacity: Int
  /// Bytes written so far.
  private(set) var offset = 0

  init(_ memory: UnsafeMutableRawBufferPointer) {
    base = memory.baseAddress!
    capacity = memory.count
  }

  @inline(__always)
  mutating func writeVarint(_ value: Int) {
    var v = UInt64(truncatingIfNeeded: value)
    while v >= 0x80 {
      put(UInt8(truncatingIfNeeded: v) | 0x80)
      v >>= 7
    }
    put(UInt8(truncatingIfNeeded: v))
  }

  @inline(__always)
  private mutating func put(_ byte: UInt8) {
    precondition(offset < capacity, "protobuf writer past its computed size")
    base.storeBytes(of: byte, toByteOffset: offset, as: UInt8.self)
    offset += 1
  }

  /// Raw bytes.
  @inline(__always)
  mutating func writeRaw(_ bytes: UnsafeRawBufferPointer) {
    guard let source = bytes.baseAddress, bytes.count > 0 else { return }
    precondition(offset + bytes.count <= capacity, "protobuf writer past its computed size")
    (base + offset).copyMemory(from: source, byteCount: bytes.count)
    offset += bytes.count
  }

  /// The UTF-8 of `text`.
  @inline(__always)
  mutating func writeUTF8(_ text: String) {
    var text = text
    text.withUTF8 { writeRaw(UnsafeRawBufferPointer($0)) }
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
    writeUTF8(text)
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
    bytes.withUnsafeBytes { writeRaw($0) }
  }

  /// Bytes already encoded.
  @inline(__always)
  mutating func writeBytes(_ bytes: [UInt8]) {
    bytes.withUnsafeBytes { writeRaw($0) }
  }

  /// Bytes already encoded.
  @inline(__always)
  mutating func writeBytes(_ bytes: Data) {
    bytes.withUnsafeBytes { writeRaw($0) }
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
