package import FunctionsRPC
internal import Synchronization

/// Makes the W3C trace context of each invocation.
///
/// An incoming valid `traceparent` is continued: the trace id and flags are kept and a new
/// span id is made for the host's span (what ASP.NET's `Activity` does in the stock host);
/// `tracestate` is passed through with it. Otherwise a fresh `00-<trace id>-<span id>-01` is
/// made. Ids come from a counter scrambled with SplitMix64 and a per-process random seed:
/// unique, well spread, and about as cheap as an atomic increment (no system call per request).
package final class TraceContextGenerator: Sendable {
  private let counter = Atomic<UInt64>(0)
  private let seeds: (UInt64, UInt64, UInt64)

  /// A generator with a fresh random seed.
  package init() {
    var rng = SystemRandomNumberGenerator()
    seeds = (rng.next(), rng.next(), rng.next())
  }

  /// The trace context of an invocation that continues `traceparent` (with its `tracestate`) when it
  /// is valid, and starts a new trace otherwise.
  package func context(traceparent: String?, tracestate: String?) -> AzureFunctionsRpcMessages_RpcTraceContext {
    var context = AzureFunctionsRpcMessages_RpcTraceContext()
    let n = counter.wrappingAdd(1, ordering: .relaxed).newValue
    let span = TraceContextGenerator.mix(n &+ seeds.2)
    if let traceparent, let parent = TraceParent(traceparent) {
      context.traceParent = TraceParent.format(
        traceHigh: parent.traceHigh,
        traceLow: parent.traceLow,
        span: span,
        flags: parent.flags
      )
      if let tracestate { context.traceState = tracestate }
    } else {
      context.traceParent = TraceParent.format(
        traceHigh: TraceContextGenerator.mix(n ^ seeds.0),
        traceLow: TraceContextGenerator.mix(n &+ seeds.1),
        span: span,
        flags: 1
      )
    }
    return context
  }

  /// SplitMix64's output function (a bijection), with 0 mapped to 1 so no id is all-zero.
  package static func mix(_ x: UInt64) -> UInt64 {
    var z = x &+ 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    let result = z ^ (z >> 31)
    return result == 0 ? 1 : result
  }
}

/// A parsed W3C `traceparent` header value.
package struct TraceParent: Sendable, Hashable {
  /// The high 64 bits of the trace id.
  package var traceHigh: UInt64
  /// The low 64 bits of the trace id.
  package var traceLow: UInt64
  /// The span (parent) id.
  package var span: UInt64
  /// The trace flags.
  package var flags: UInt8

  /// Parses `vv-<32 hex>-<16 hex>-ff` (lower-case hex); `nil` when malformed, version `ff`,
  /// or an all-zero id. Versions above `00` may carry more fields after the flags.
  package init?(_ text: String) {
    let b = Array(text.utf8)
    guard b.count >= 55, b[2] == UInt8(ascii: "-"), b[35] == UInt8(ascii: "-"),
      b[52] == UInt8(ascii: "-"),
      let version = TraceParent.hex(b[0 ..< 2]), version != 0xFF,
      version != 0 || b.count == 55,
      b.count == 55 || b[55] == UInt8(ascii: "-"),
      let high = TraceParent.hex(b[3 ..< 19]), let low = TraceParent.hex(b[19 ..< 35]),
      let span = TraceParent.hex(b[36 ..< 52]), let flags = TraceParent.hex(b[53 ..< 55]),
      high != 0 || low != 0, span != 0
    else { return nil }
    self.traceHigh = high
    self.traceLow = low
    self.span = span
    self.flags = UInt8(flags)
  }

  /// `00-<trace id>-<span id>-<flags>` in lower-case hex.
  package static func format(traceHigh: UInt64, traceLow: UInt64, span: UInt64, flags: UInt8) -> String {
    String(unsafeUninitializedCapacity: 55) { out in
      let digits: StaticString = "0123456789abcdef"
      func put(_ value: UInt64, width: Int, at offset: Int) {
        for i in 0 ..< width {
          let nibble = Int((value >> UInt64(4 * (width - 1 - i))) & 0xF)
          out[offset + i] = digits.utf8Start[nibble]
        }
      }
      out[0] = UInt8(ascii: "0")
      out[1] = UInt8(ascii: "0")
      out[2] = UInt8(ascii: "-")
      put(traceHigh, width: 16, at: 3)
      put(traceLow, width: 16, at: 19)
      out[35] = UInt8(ascii: "-")
      put(span, width: 16, at: 36)
      out[52] = UInt8(ascii: "-")
      put(UInt64(flags), width: 2, at: 53)
      return 55
    }
  }

  private static func hex(_ bytes: ArraySlice<UInt8>) -> UInt64? {
    var value: UInt64 = 0
    for b in bytes {
      let digit: UInt8
      switch b {
      case 0x30 ... 0x39: digit = b - 0x30
      case 0x61 ... 0x66: digit = b - 0x61 + 10
      default: return nil
      }
      value = value << 4 | UInt64(digit)
    }
    return value
  }
}
