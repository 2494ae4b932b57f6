internal import Foundation

/// MD5 (RFC 1321), incremental, for the `Content-MD5` of blobs uploaded with Put Blob without one.
/// Not for security: Azure uses it as a transport checksum, and so do we.
package struct MD5: Sendable {
  private var a0: UInt32 = 0x6745_2301
  private var b0: UInt32 = 0xefcd_ab89
  private var c0: UInt32 = 0x98ba_dcfe
  private var d0: UInt32 = 0x1032_5476
  private var pending: [UInt8] = []
  private var byteCount: UInt64 = 0

  private static let shifts: [UInt32] =
    [7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22]
    + [5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20]
    + [4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23]
    + [6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21]

  /// K[i] = floor(|sin(i + 1)| · 2^32).
  private static let constants: [UInt32] = (0..<64).map { UInt32(abs(sin(Double($0 + 1))) * 4_294_967_296) }

  package init() {}

  /// Adds bytes.
  package mutating func update(_ bytes: [UInt8]) {
    byteCount &+= UInt64(bytes.count)
    var start = 0
    if !pending.isEmpty {
      let take = min(64 - pending.count, bytes.count)
      pending.append(contentsOf: bytes[0..<take])
      start = take
      guard pending.count == 64 else { return }
      let block = pending
      block.withUnsafeBufferPointer { process($0.baseAddress!) }
      pending.removeAll(keepingCapacity: true)
    }
    bytes.withUnsafeBufferPointer { buffer in
      while bytes.count - start >= 64 {
        process(buffer.baseAddress! + start)
        start += 64
      }
    }
    if start < bytes.count { pending.append(contentsOf: bytes[start...]) }
  }

  /// The 16-byte digest (the value is spent afterwards).
  package mutating func finalize() -> [UInt8] {
    let bits = byteCount &* 8
    var tail: [UInt8] = [0x80]
    let padded = (pending.count + 1) % 64
    tail += [UInt8](repeating: 0, count: padded <= 56 ? 56 - padded : 120 - padded)
    tail += (0..<8).map { UInt8(truncatingIfNeeded: bits >> (8 * UInt64($0))) }
    let saved = byteCount
    update(tail)
    byteCount = saved
    return [a0, b0, c0, d0].flatMap { word in (0..<4).map { UInt8(truncatingIfNeeded: word >> (8 * UInt32($0))) } }
  }

  private mutating func process(_ block: UnsafePointer<UInt8>) {
    var a = a0
    var b = b0
    var c = c0
    var d = d0
    withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 16) { m in
      for index in 0..<16 {
        let base = block + index &* 4
        m[index] = UInt32(base[0]) | UInt32(base[1]) << 8 | UInt32(base[2]) << 16 | UInt32(base[3]) << 24
      }
      Self.constants.withUnsafeBufferPointer { k in
        Self.shifts.withUnsafeBufferPointer { s in
          for i in 0..<64 {
            var f: UInt32
            let g: Int
            switch i >> 4 {
            case 0: f = (b & c) | (~b & d); g = i
            case 1: f = (d & b) | (~d & c); g = (5 &* i &+ 1) & 15
            case 2: f = b ^ c ^ d; g = (3 &* i &+ 5) & 15
            default: f = c ^ (b | ~d); g = (7 &* i) & 15
            }
            f = f &+ a &+ k[i] &+ m[g]
            a = d
            d = c
            c = b
            b = b &+ ((f << s[i]) | (f >> (32 &- s[i])))
          }
        }
      }
    }
    a0 &+= a
    b0 &+= b
    c0 &+= c
    d0 &+= d
  }
}
