/// HMAC-SHA256 (RFC 2104) and a constant-time comparison, for SharedKey signatures.
enum HMACSHA256 {
  /// The 32-byte MAC of `message` under `key`.
  static func authenticationCode(for message: some Sequence<UInt8>, key: [UInt8]) -> [UInt8] {
    var key = key
    if key.count > SHA256.blockSize { key = SHA256.hash(key) }
    key += [UInt8](repeating: 0, count: SHA256.blockSize - key.count)
    var inner = SHA256()
    inner.update(key.map { $0 ^ 0x36 })
    inner.update(message)
    let innerDigest = inner.finalize()
    var outer = SHA256()
    outer.update(key.map { $0 ^ 0x5c })
    outer.update(innerDigest)
    return outer.finalize()
  }

  /// Whether `a` equals `b`, in time that depends only on their lengths.
  static func constantTimeEquals(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
    guard a.count == b.count else { return false }
    var difference: UInt8 = 0
    for (x, y) in zip(a, b) { difference |= x ^ y }
    return difference == 0
  }
}
