extension RouteConstraint {
  /// A GUID as .NET's `Guid.TryParse` accepts it: 32 hex digits, optionally hyphenated
  /// 8-4-4-4-12, optionally in braces or parentheses.
  static func isGUID(_ value: Substring) -> Bool {
    var bytes = Array(value.utf8)
    if let first = bytes.first, let last = bytes.last, bytes.count >= 2,
      (first == UInt8(ascii: "{") && last == UInt8(ascii: "}"))
        || (first == UInt8(ascii: "(") && last == UInt8(ascii: ")"))
    {
      bytes = Array(bytes[1 ..< (bytes.count - 1)])
    }
    switch bytes.count {
    case 32:
      return bytes.allSatisfy(\.isHexDigit)
    case 36:
      for (i, b) in bytes.enumerated() {
        if i == 8 || i == 13 || i == 18 || i == 23 {
          if b != UInt8(ascii: "-") { return false }
        } else if !b.isHexDigit {
          return false
        }
      }
      return true
    default:
      return false
    }
  }

  /// A date or date-time in ISO 8601 form: `yyyy-MM-dd`, optionally followed by `T` or a space,
  /// `HH:mm`, optional `:ss` and fraction, and an optional `Z` or `±HH:mm` offset.
  ///
  /// This is narrower than .NET's culture-invariant `DateTime.TryParse`, which also accepts
  /// forms such as `12/31/2024`; those cannot appear in a path segment anyway.
  static func isDateTime(_ value: Substring) -> Bool {
    var p = ByteCursor(value)
    guard p.digits(4), p.byte("-"), p.digits(2), p.byte("-"), p.digits(2) else { return false }
    if p.atEnd { return true }
    guard p.byte("T") || p.byte("t") || p.byte(" ") else { return false }
    guard p.digits(2), p.byte(":"), p.digits(2) else { return false }
    if p.byte(":") {
      guard p.digits(2) else { return false }
      if p.byte(".") { guard p.someDigits() else { return false } }
    }
    if p.byte("Z") || p.byte("z") { return p.atEnd }
    if p.byte("+") || p.byte("-") {
      guard p.digits(2), p.byte(":"), p.digits(2) else { return false }
    }
    return p.atEnd
  }
}

/// A tiny forward-only reader over ASCII bytes, for the format checks above.
private struct ByteCursor {
  let bytes: [UInt8]
  var index = 0
  init(_ s: Substring) { bytes = Array(s.utf8) }
  var atEnd: Bool { index == bytes.count }
  mutating func byte(_ c: Unicode.Scalar) -> Bool {
    guard index < bytes.count, bytes[index] == UInt8(ascii: c) else { return false }
    index += 1
    return true
  }
  mutating func digits(_ n: Int) -> Bool {
    guard index + n <= bytes.count, bytes[index ..< (index + n)].allSatisfy(\.isDecimalDigit) else {
      return false
    }
    index += n
    return true
  }
  mutating func someDigits() -> Bool {
    let start = index
    while index < bytes.count, bytes[index].isDecimalDigit { index += 1 }
    return index > start
  }
}

extension UInt8 {
  /// `0-9`.
  var isDecimalDigit: Bool { self >= 0x30 && self <= 0x39 }
  /// `0-9`, `a-f`, `A-F`.
  var isHexDigit: Bool {
    isDecimalDigit || (self >= 0x61 && self <= 0x66) || (self >= 0x41 && self <= 0x46)
  }
}
