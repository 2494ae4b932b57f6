/// Splitting and decoding of request paths for routing.
enum RequestPath {
  /// The path of a request target: what comes before its query (`?`) or fragment (`#`).
  static func path(of target: String) -> Substring {
    target[..<(target.utf8.firstIndex(where: { $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") }) ?? target.endIndex)]
  }

  /// Whether a path is the host's own `/admin` or below it (any case).
  static func isAdmin(_ path: Substring) -> Bool {
    path.hasASCIIPrefixIgnoringCase("/admin/") || path.asciiCaseInsensitiveEquals("/admin")
  }

  /// The `/`-separated segments of a path (no query), percent-decoded except `%2F`, which stays
  /// encoded so that a decoded segment never contains `/` (as in ASP.NET Core).
  ///
  /// A leading `/` and one trailing `/` are ignored; `/` and the empty path give no segments.
  static func segments(of path: some StringProtocol) -> [Substring] {
    var body = Substring(path)
    if body.utf8.first == UInt8(ascii: "/") { body = body[body.utf8.index(after: body.startIndex)...] }
    if body.isEmpty { return [] }
    if body.utf8.last == UInt8(ascii: "/") { body = body[..<body.utf8.index(before: body.endIndex)] }
    var result = body.split(onASCII: UInt8(ascii: "/"), omittingEmptySubsequences: false)
    for i in result.indices where result[i].utf8.contains(UInt8(ascii: "%")) {
      result[i] = Substring(percentDecode(result[i], keepingEncodedSlash: true))
    }
    return removingDotSegments(result)
  }

  /// RFC 3986 dot-segment removal on decoded segments, as Kestrel normalizes paths: `.` goes, `..` takes
  /// the segment before it with it, and nothing climbs above the root.
  static func removingDotSegments(_ segments: [Substring]) -> [Substring] {
    guard segments.contains(where: { $0 == "." || $0 == ".." }) else { return segments }
    var out: [Substring] = []
    out.reserveCapacity(segments.count)
    for segment in segments {
      switch segment {
      case ".": continue
      case "..": if !out.isEmpty { out.removeLast() }
      default: out.append(segment)
      }
    }
    return out
  }

  /// Whether a raw path holds a NUL byte, written or percent-encoded.
  static func containsNUL(_ path: some StringProtocol) -> Bool {
    // One pass, no copy: `state` counts the characters of `%00` seen so far.
    var state = 0
    for byte in path.utf8 {
      if byte == 0 { return true }
      switch (state, byte) {
      case (_, UInt8(ascii: "%")): state = 1
      case (1, UInt8(ascii: "0")): state = 2
      case (2, UInt8(ascii: "0")): return true
      default: state = 0
      }
    }
    return false
  }

  /// Decodes `%XX` escapes as UTF-8 (`+` is left alone); malformed escapes and invalid UTF-8
  /// are kept as written.
  static func percentDecode(
    _ text: some StringProtocol,
    keepingEncodedSlash: Bool = false
  ) -> String {
    let input = Array(text.utf8)
    var output: [UInt8] = []
    output.reserveCapacity(input.count)
    var i = 0
    while i < input.count {
      let b = input[i]
      if b == UInt8(ascii: "%"), i + 2 < input.count,
        let hi = hexValue(input[i + 1]), let lo = hexValue(input[i + 2])
      {
        let decoded = hi << 4 | lo
        if keepingEncodedSlash && decoded == UInt8(ascii: "/") {
          output.append(contentsOf: input[i ... (i + 2)])
        } else {
          output.append(decoded)
        }
        i += 3
      } else {
        output.append(b)
        i += 1
      }
    }
    return String(validating: output, as: UTF8.self) ?? String(text)
  }

  private static func hexValue(_ b: UInt8) -> UInt8? {
    switch b {
    case 0x30 ... 0x39: b - 0x30
    case 0x41 ... 0x46: b - 0x41 + 10
    case 0x61 ... 0x66: b - 0x61 + 10
    default: nil
    }
  }
}
