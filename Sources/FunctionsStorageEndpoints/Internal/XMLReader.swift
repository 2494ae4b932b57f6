/// A small XML reader for the two request bodies the endpoints accept (`QueueMessage` and
/// `BlockList`): elements, attributes (skipped), text, CDATA, comments, processing instructions,
/// the five predefined entities and character references. No DTDs (so no entity expansion
/// attacks), no namespaces.
struct XMLTree: Sendable, Hashable {
  /// The element's name.
  var name: String
  /// The child elements, in order.
  var children: [XMLTree]
  /// The element's own text (character data of the element itself, entities resolved).
  var text: String

  /// Creates an element.
  init(name: String, children: [XMLTree] = [], text: String = "") {
    self.name = name
    self.children = children
    self.text = text
  }

  /// The first child named `name`.
  func child(_ name: String) -> XMLTree? { children.first { $0.name == name } }

  /// Parses a document and returns its root element.
  ///
  /// - Throws: ``XMLSyntaxError`` when the document is not well-formed.
  static func parse(_ bytes: [UInt8]) throws(XMLSyntaxError) -> XMLTree {
    var parser = XMLByteParser(bytes: bytes)
    return try parser.document()
  }
}

/// A malformed XML document.
struct XMLSyntaxError: Error, Sendable, Hashable {
  /// What is wrong and at which byte offset.
  var message: String
}

private struct XMLByteParser {
  let bytes: [UInt8]
  var index = 0
  var depth = 0

  init(bytes: [UInt8]) {
    self.bytes = bytes
    // A UTF-8 byte order mark is allowed.
    if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
  }

  mutating func document() throws(XMLSyntaxError) -> XMLTree {
    try skipMisc()
    guard peek() == UInt8(ascii: "<") else { throw fail("expected the root element") }
    let root = try element()
    try skipMisc()
    guard index == bytes.count else { throw fail("content after the root element") }
    return root
  }

  /// Whitespace, comments and processing instructions (including the XML declaration).
  mutating func skipMisc() throws(XMLSyntaxError) {
    while true {
      skipWhitespace()
      if starts(with: "<?") {
        try skip(past: "?>")
      } else if starts(with: "<!--") {
        try skip(past: "-->")
      } else if starts(with: "<!") {
        throw fail("DTDs are not accepted")
      } else {
        return
      }
    }
  }

  mutating func element() throws(XMLSyntaxError) -> XMLTree {
    depth += 1
    defer { depth -= 1 }
    guard depth <= 32 else { throw fail("elements nested too deeply") }
    index += 1  // "<"
    let name = try readName()
    // Attributes: skipped, but their syntax is checked.
    while true {
      skipWhitespace()
      if starts(with: "/>") {
        index += 2
        return XMLTree(name: name)
      }
      if peek() == UInt8(ascii: ">") {
        index += 1
        break
      }
      _ = try readName()
      skipWhitespace()
      guard peek() == UInt8(ascii: "=") else { throw fail("expected '=' in an attribute") }
      index += 1
      skipWhitespace()
      guard let quote = peek(), quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") else {
        throw fail("expected a quoted attribute value")
      }
      index += 1
      guard let end = bytes[index...].firstIndex(of: quote) else { throw fail("unterminated attribute") }
      index = end + 1
    }
    var result = XMLTree(name: name)
    var text: [UInt8] = []
    while true {
      guard let byte = peek() else { throw fail("unterminated element <\(name)>") }
      if byte == UInt8(ascii: "<") {
        if starts(with: "</") {
          index += 2
          let closing = try readName()
          skipWhitespace()
          guard closing == name, peek() == UInt8(ascii: ">") else {
            throw fail("</\(closing)> does not close <\(name)>")
          }
          index += 1
          guard let decoded = String(validating: text, as: UTF8.self) else { throw fail("invalid UTF-8") }
          result.text = decoded
          return result
        } else if starts(with: "<![CDATA[") {
          index += 9
          let start = index
          try skip(past: "]]>")
          text += bytes[start..<index - 3]
        } else if starts(with: "<!--") {
          try skip(past: "-->")
        } else if starts(with: "<?") {
          try skip(past: "?>")
        } else {
          result.children.append(try element())
        }
      } else if byte == UInt8(ascii: "&") {
        text += try reference()
      } else {
        text.append(byte)
        index += 1
      }
    }
  }

  /// `&amp;` `&lt;` `&gt;` `&quot;` `&apos;` `&#N;` `&#xN;` → UTF-8 bytes.
  mutating func reference() throws(XMLSyntaxError) -> [UInt8] {
    guard let semicolon = bytes[index...].prefix(12).firstIndex(of: UInt8(ascii: ";")) else {
      throw fail("unterminated entity reference")
    }
    let name = String(decoding: bytes[(index + 1)..<semicolon], as: UTF8.self)
    index = semicolon + 1
    switch name {
    case "amp": return [UInt8(ascii: "&")]
    case "lt": return [UInt8(ascii: "<")]
    case "gt": return [UInt8(ascii: ">")]
    case "quot": return [UInt8(ascii: "\"")]
    case "apos": return [UInt8(ascii: "'")]
    default:
      var value: UInt32?
      if name.hasPrefix("#x") || name.hasPrefix("#X") {
        value = UInt32(name.dropFirst(2), radix: 16)
      } else if name.hasPrefix("#") {
        value = UInt32(name.dropFirst(), radix: 10)
      }
      guard let value, value != 0, let scalar = Unicode.Scalar(value) else {
        throw fail("unknown entity &\(name);")
      }
      return Array(String(Character(scalar)).utf8)
    }
  }

  mutating func readName() throws(XMLSyntaxError) -> String {
    let start = index
    while let byte = peek(), !isWhitespace(byte), byte != UInt8(ascii: ">"), byte != UInt8(ascii: "/"),
      byte != UInt8(ascii: "="), byte != UInt8(ascii: "<")
    {
      index += 1
    }
    guard index > start else { throw fail("expected a name") }
    return String(decoding: bytes[start..<index], as: UTF8.self)
  }

  mutating func skip(past terminator: String) throws(XMLSyntaxError) {
    let pattern = Array(terminator.utf8)
    while index + pattern.count <= bytes.count {
      if bytes[index..<index + pattern.count].elementsEqual(pattern) {
        index += pattern.count
        return
      }
      index += 1
    }
    throw fail("expected '\(terminator)'")
  }

  mutating func skipWhitespace() {
    while let byte = peek(), isWhitespace(byte) { index += 1 }
  }

  func starts(with prefix: String) -> Bool {
    let pattern = prefix.utf8
    guard index + pattern.count <= bytes.count else { return false }
    return bytes[index..<index + pattern.count].elementsEqual(pattern)
  }

  func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

  func isWhitespace(_ byte: UInt8) -> Bool {
    byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
  }

  func fail(_ message: String) -> XMLSyntaxError {
    XMLSyntaxError(message: "\(message) (at byte \(index))")
  }
}
