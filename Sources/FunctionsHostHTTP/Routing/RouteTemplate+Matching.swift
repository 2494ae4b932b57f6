extension RouteTemplate {
  /// Matches percent-decoded path segments (the part after the route prefix).
  ///
  /// - Returns: the route values (parameter name → value; absent optional parameters are
  ///   left out, defaults filled in), or `nil` when the path does not match.
  func match(_ path: ArraySlice<Substring>) -> [String: String]? {
    var values: [(String, String)] = []
    var index = path.startIndex
    for (n, segment) in segments.enumerated() {
      if index == path.endIndex {
        // The path is used up: the rest of the template must be optional.
        for remaining in segments[n...] {
          guard case .parameter(let p) = remaining, p.mayBeAbsent else { return nil }
          if let d = p.defaultValue { values.append((p.name, d)) }
        }
        return Dictionary(values, uniquingKeysWith: { a, _ in a })
      }
      let value = path[index]
      switch segment {
      case .literal(let literal):
        guard value.asciiCaseInsensitiveEquals(literal) else { return nil }
      case .parameter(let p) where p.isCatchAll:
        let rest = path[index...].joined(separator: "/")
        if rest.isEmpty {
          if let d = p.defaultValue { values.append((p.name, d)) }
        } else {
          guard p.accepts(Substring(rest)) else { return nil }
          values.append((p.name, rest))
        }
        return Dictionary(values, uniquingKeysWith: { a, _ in a })
      case .parameter(let p):
        guard !value.isEmpty, p.accepts(value) else { return nil }
        values.append((p.name, String(value)))
      case .complex(let parts):
        guard RouteTemplate.matchComplex(parts, value, into: &values) else { return nil }
      }
      index = path.index(after: index)
    }
    guard index == path.endIndex else { return nil }
    return Dictionary(values, uniquingKeysWith: { a, _ in a })
  }

  /// Matches a segment like `{name}.{ext}` right to left, as ASP.NET does: each literal is
  /// found at its last occurrence that still leaves at least one character for the parameter
  /// to its right.
  static func matchComplex(
    _ parts: [Part],
    _ segment: Substring,
    into values: inout [(String, String)]
  ) -> Bool {
    let bytes = Array(segment.utf8)
    var end = bytes.count  // exclusive end of the not-yet-matched prefix
    var pending: Parameter?  // a parameter whose start is not known yet
    var captured: [(String, String)] = []

    func capture(_ p: Parameter, _ range: Range<Int>) -> Bool {
      guard !range.isEmpty else { return false }
      let value = String(decoding: bytes[range], as: UTF8.self)
      guard p.accepts(Substring(value)) else { return false }
      captured.append((p.name, value))
      return true
    }

    for part in parts.reversed() {
      switch part {
      case .parameter(let p):
        pending = p
      case .literal(let literal):
        let lit = Array(literal.utf8)
        let start: Int
        if let p = pending {
          // Last occurrence of the literal ending at or before end - 1.
          var candidate = end - 1 - lit.count
          var found: Int?
          while candidate >= 0 {
            if asciiCaseInsensitiveEqual(bytes[candidate ..< (candidate + lit.count)], lit) {
              found = candidate
              break
            }
            candidate -= 1
          }
          guard let found, capture(p, (found + lit.count) ..< end) else { return false }
          start = found
          pending = nil
        } else {
          start = end - lit.count
          guard start >= 0, asciiCaseInsensitiveEqual(bytes[start ..< end], lit) else {
            return false
          }
        }
        end = start
      }
    }
    if let p = pending {
      guard capture(p, 0 ..< end) else { return false }
    } else if end != 0 {
      return false
    }
    values.append(contentsOf: captured.reversed())
    return true
  }

  private static func asciiCaseInsensitiveEqual(_ a: ArraySlice<UInt8>, _ lowered: [UInt8]) -> Bool
  {
    guard a.count == lowered.count else { return false }
    var j = 0
    for x in a {
      let y = lowered[j]
      j += 1
      if x == y { continue }
      if x >= 0x41 && x <= 0x5A && x | 0x20 == y { continue }
      return false
    }
    return true
  }
}
