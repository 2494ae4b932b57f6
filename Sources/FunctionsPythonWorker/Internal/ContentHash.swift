/// FNV-1a 64: a small, stable, dependency-free content hash.
///
/// It names cache directories (`worker-<hash>`, `venvs/<key>`), so it must give the same answer on
/// every run and every machine; it is not a defence against deliberate collisions.
package struct ContentHash: Sendable {
  private static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
  private static let prime: UInt64 = 0x0000_0100_0000_01b3

  private var state: UInt64 = ContentHash.offsetBasis

  /// An empty hash.
  package init() {}

  /// Feeds raw bytes.
  package mutating func update(_ bytes: [UInt8]) {
    var state = self.state
    bytes.withUnsafeBufferPointer { buffer in
      for byte in buffer {
        state ^= UInt64(byte)
        state &*= ContentHash.prime
      }
    }
    self.state = state
  }

  /// Feeds a string's UTF-8 bytes.
  package mutating func update(_ string: String) {
    update(Array(string.utf8))
  }

  /// Feeds one length-prefixed field, so that `("ab", "c")` and `("a", "bc")` hash differently.
  package mutating func update(field bytes: [UInt8]) {
    update(String(bytes.count) + ":")
    update(bytes)
    update([0])
  }

  /// Feeds one length-prefixed string field.
  package mutating func update(field string: String) {
    update(field: Array(string.utf8))
  }

  /// The hash as 16 lowercase hexadecimal digits.
  package var hex: String {
    let digits = String(state, radix: 16)
    return String(repeating: "0", count: 16 - digits.count) + digits
  }

  /// The hash of `bytes`, as 16 lowercase hexadecimal digits.
  package static func hex(of bytes: [UInt8]) -> String {
    var hash = ContentHash()
    hash.update(bytes)
    return hash.hex
  }
}
