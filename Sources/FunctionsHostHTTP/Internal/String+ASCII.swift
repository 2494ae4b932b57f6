extension StringProtocol {
  /// The text without leading and trailing ASCII spaces and tabs.
  var trimmingSpaces: SubSequence {
    var start = startIndex
    var end = endIndex
    while start < end, self[start] == " " || self[start] == "\t" { start = index(after: start) }
    while end > start {
      let before = index(before: end)
      guard self[before] == " " || self[before] == "\t" else { break }
      end = before
    }
    return self[start ..< end]
  }

  /// Compares with `other` ignoring ASCII case; non-ASCII text falls back to `lowercased()`.
  ///
  /// `other` is usually an already lower-cased literal from a route template.
  func asciiCaseInsensitiveEquals(_ other: some StringProtocol) -> Bool {
    var a = utf8.makeIterator()
    var b = other.utf8.makeIterator()
    while true {
      switch (a.next(), b.next()) {
      case (nil, nil): return true
      case (let x?, let y?):
        if x == y { continue }
        if x >= 0x80 || y >= 0x80 { return lowercased() == other.lowercased() }
        if x | 0x20 != y | 0x20 || !(x | 0x20 >= 0x61 && x | 0x20 <= 0x7A) { return false }
      default:
        // Different UTF-8 lengths can still be equal after Unicode lower-casing.
        return (!allASCII || !other.allASCII) && lowercased() == other.lowercased()
      }
    }
  }

  /// Whether every byte is ASCII.
  var allASCII: Bool { utf8.allSatisfy { $0 < 0x80 } }

  /// Whether the text starts with `prefix`, ignoring ASCII case.
  func hasASCIIPrefixIgnoringCase(_ prefix: String) -> Bool {
    var a = utf8.makeIterator()
    for y in prefix.utf8 {
      guard let x = a.next() else { return false }
      if x == y { continue }
      if x | 0x20 != y | 0x20 || !(x | 0x20 >= 0x61 && x | 0x20 <= 0x7A) { return false }
    }
    return true
  }
}

extension String {
  /// The text lower-cased for case-insensitive keys; the text itself (no copy) when it has no upper-case
  /// ASCII letter and no non-ASCII byte, as most keys.
  var lowercasedKey: String {
    utf8.contains(where: { $0 >= 0x80 || ($0 >= 0x41 && $0 <= 0x5A) }) ? lowercased() : self
  }
}

extension StringProtocol {
  /// The index of the first `byte` (an ASCII character), searched byte by byte rather than by
  /// grapheme; a valid index into the text since UTF-8 never has an ASCII byte inside a character's
  /// encoding of a non-ASCII scalar.
  @inline(__always)
  func firstIndex(ofASCII byte: UInt8) -> Index? {
    utf8.firstIndex(of: byte)
  }

  /// The parts between occurrences of `byte` (an ASCII character), searched byte by byte.
  func split(onASCII byte: UInt8, omittingEmptySubsequences: Bool) -> [SubSequence] {
    var parts: [SubSequence] = []
    var start = startIndex
    var index = utf8.startIndex
    let end = utf8.endIndex
    while index < end {
      if utf8[index] == byte {
        if !omittingEmptySubsequences || start < index { parts.append(self[start..<index]) }
        start = utf8.index(after: index)
      }
      index = utf8.index(after: index)
    }
    if !omittingEmptySubsequences || start < endIndex { parts.append(self[start..<endIndex]) }
    return parts
  }
}
