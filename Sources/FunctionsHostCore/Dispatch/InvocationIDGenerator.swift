internal import Synchronization

/// Makes invocation ids: lower-case UUID text (`xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx`, version 4 layout),
/// as the stock host sends them.
///
/// The 122 variable bits come from a counter scrambled with SplitMix64 (a bijection) and a per-process
/// random seed, like ``TraceContextGenerator``: unique within the process, unpredictable across processes,
/// and about as cheap as an atomic increment — no system call or Foundation `UUID` per invocation.
package final class InvocationIDGenerator: Sendable {
  private let counter = Atomic<UInt64>(0)
  private let seeds: (UInt64, UInt64)

  /// A generator with a fresh random seed.
  package init() {
    var rng = SystemRandomNumberGenerator()
    seeds = (rng.next(), rng.next())
  }

  /// The next id.
  package func next() -> String {
    let n = counter.wrappingAdd(1, ordering: .relaxed).newValue
    // high: n scrambled (unique per n); low: another scramble of n (spreads the text).
    let high = TraceContextGenerator.mix(n ^ seeds.0)
    let low = TraceContextGenerator.mix(n &+ seeds.1)
    return Self.format(high: high, low: low)
  }

  /// `high` and `low` as UUID text with the version (4) and variant (10xx) bits set. Every bit of `high`
  /// is kept (the version and variant take bits of `low` only), so distinct `high` values give distinct ids.
  package static func format(high: UInt64, low: UInt64) -> String {
    // 32 hex digits: 16 from high, 16 from low; digit 12 is the version, digit 16 the variant.
    String(unsafeUninitializedCapacity: 36) { out in
      let digits: StaticString = "0123456789abcdef"
      var position = 0
      func put(_ nibble: UInt64) {
        if position == 8 || position == 13 || position == 18 || position == 23 {
          out[position] = UInt8(ascii: "-")
          position += 1
        }
        out[position] = digits.utf8Start[Int(nibble & 0xF)]
        position += 1
      }
      for i in 0 ..< 12 { put(high >> UInt64(60 - 4 * i)) }
      put(4)  // version
      for i in 12 ..< 15 { put(high >> UInt64(60 - 4 * i)) }
      put(8 | (high & 0x3))  // variant 10xx, with high's bits 0-1
      put((high >> 2) & 0x3 | (low >> 60) & 0xC)  // high's bits 2-3: every bit of high is in the text
      for i in 1 ..< 15 { put(low >> UInt64(60 - 4 * i)) }
      return 36
    }
  }
}
