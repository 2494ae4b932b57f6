package import FunctionsHostCore

/// A parsed JSON value that keeps what `JSONValue` drops: the order of object members and numbers
/// exactly as written.
///
/// Output conversions use it so that a message or blob written from a worker's JSON keeps its
/// member order and number text (`JSONValue.jsonText` sorts keys and goes through `Double`).
package enum OrderedJSON: Sendable, Hashable {
  /// `null`.
  case null
  /// `true` / `false`.
  case bool(Bool)
  /// A number, as its literal text (e.g. `1`, `-2.50`, `1e3`).
  case number(String)
  /// A string (unescaped).
  case string(String)
  /// An array.
  case array([OrderedJSON])
  /// An object, members in document order (duplicates kept).
  case object([Member])

  /// One object member.
  package struct Member: Sendable, Hashable {
    /// The member name.
    package var key: String
    /// The member value.
    package var value: OrderedJSON

    /// Creates a member.
    package init(key: String, value: OrderedJSON) {
      self.key = key
      self.value = value
    }
  }

  /// A JSON text that could not be parsed, with the byte offset where parsing stopped.
  package struct ParseError: Error, Sendable, CustomStringConvertible {
    /// Byte offset into the UTF-8 text.
    package var offset: Int
    /// What was expected.
    package var message: String
    /// `message at byte offset`.
    package var description: String { "\(message) at byte \(offset)" }
  }

  /// Parses a complete JSON text (RFC 8259; surrounding whitespace allowed, nesting up to 512 deep).
  package static func parse(_ text: String) throws(ParseError) -> OrderedJSON {
    var parser = OrderedJSONParser(bytes: Array(text.utf8))
    return try parser.parseDocument()
  }

  /// Compact JSON text: no whitespace, members and numbers as parsed.
  package var compactText: String {
    switch self {
    case .null: "null"
    case .bool(let b): b ? "true" : "false"
    case .number(let n): n
    case .string(let s): JSONValue.quote(s)
    case .array(let items): "[" + items.map(\.compactText).joined(separator: ",") + "]"
    case .object(let members):
      "{" + members.map { JSONValue.quote($0.key) + ":" + $0.value.compactText }.joined(separator: ",") + "}"
    }
  }

  /// The same value as a `JSONValue` (numbers through `Double`; for duplicate keys the last wins).
  package var jsonValue: JSONValue {
    switch self {
    case .null: .null
    case .bool(let b): .bool(b)
    case .number(let n): .number(Double(n) ?? 0)
    case .string(let s): .string(s)
    case .array(let items): .array(items.map(\.jsonValue))
    case .object(let members):
      .object(Dictionary(members.map { ($0.key, $0.value.jsonValue) }, uniquingKeysWith: { _, last in last }))
    }
  }
}

/// A recursive-descent parser over UTF-8 bytes.
private struct OrderedJSONParser {
  let bytes: [UInt8]
  var index = 0
  var depth = 0

  init(bytes: [UInt8]) { self.bytes = bytes }

  mutating func parseDocument() throws(OrderedJSON.ParseError) -> OrderedJSON {
    skipWhitespace()
    let value = try parseValue()
    skipWhitespace()
    guard index == bytes.count else { throw fail("unexpected text after the JSON value") }
    return value
  }

  func fail(_ message: String) -> OrderedJSON.ParseError {
    OrderedJSON.ParseError(offset: index, message: message)
  }

  mutating func skipWhitespace() {
    while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
  }

  mutating func parseValue() throws(OrderedJSON.ParseError) -> OrderedJSON {
    guard index < bytes.count else { throw fail("expected a value") }
    switch bytes[index] {
    case UInt8(ascii: "{"): return try parseObject()
    case UInt8(ascii: "["): return try parseArray()
    case UInt8(ascii: "\""): return .string(try parseString())
    case UInt8(ascii: "t"): try literal("true"); return .bool(true)
    case UInt8(ascii: "f"): try literal("false"); return .bool(false)
    case UInt8(ascii: "n"): try literal("null"); return .null
    default: return .number(try parseNumber())
    }
  }

  mutating func literal(_ word: String) throws(OrderedJSON.ParseError) {
    let w = Array(word.utf8)
    guard index + w.count <= bytes.count, Array(bytes[index..<index + w.count]) == w else {
      throw fail("expected '\(word)'")
    }
    index += w.count
  }

  mutating func enter() throws(OrderedJSON.ParseError) {
    depth += 1
    if depth > 512 { throw fail("nesting deeper than 512") }
  }

  mutating func parseObject() throws(OrderedJSON.ParseError) -> OrderedJSON {
    try enter()
    defer { depth -= 1 }
    index += 1
    var members: [OrderedJSON.Member] = []
    skipWhitespace()
    if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
      index += 1
      return .object(members)
    }
    while true {
      skipWhitespace()
      guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a member name") }
      let key = try parseString()
      skipWhitespace()
      guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw fail("expected ':'") }
      index += 1
      skipWhitespace()
      members.append(.init(key: key, value: try parseValue()))
      skipWhitespace()
      guard index < bytes.count else { throw fail("expected ',' or '}'") }
      if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
      if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
      throw fail("expected ',' or '}'")
    }
  }

  mutating func parseArray() throws(OrderedJSON.ParseError) -> OrderedJSON {
    try enter()
    defer { depth -= 1 }
    index += 1
    var items: [OrderedJSON] = []
    skipWhitespace()
    if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
      index += 1
      return .array(items)
    }
    while true {
      skipWhitespace()
      items.append(try parseValue())
      skipWhitespace()
      guard index < bytes.count else { throw fail("expected ',' or ']'") }
      if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
      if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
      throw fail("expected ',' or ']'")
    }
  }

  mutating func parseNumber() throws(OrderedJSON.ParseError) -> String {
    let start = index
    func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
    if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
    guard index < bytes.count, isDigit(bytes[index]) else { throw fail("expected a value") }
    if bytes[index] == 0x30 {
      index += 1
    } else {
      while index < bytes.count, isDigit(bytes[index]) { index += 1 }
    }
    if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
      index += 1
      guard index < bytes.count, isDigit(bytes[index]) else { throw fail("expected a digit") }
      while index < bytes.count, isDigit(bytes[index]) { index += 1 }
    }
    if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
      index += 1
      if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
      guard index < bytes.count, isDigit(bytes[index]) else { throw fail("expected a digit") }
      while index < bytes.count, isDigit(bytes[index]) { index += 1 }
    }
    return String(decoding: bytes[start..<index], as: UTF8.self)
  }

  mutating func parseString() throws(OrderedJSON.ParseError) -> String {
    index += 1
    var out: [UInt8] = []
    while true {
      guard index < bytes.count else { throw fail("unterminated string") }
      let b = bytes[index]
      if b == UInt8(ascii: "\"") {
        index += 1
        guard let s = String(validating: out, as: UTF8.self) else { throw fail("invalid UTF-8 in a string") }
        return s
      }
      if b < 0x20 { throw fail("control character in a string") }
      if b != UInt8(ascii: "\\") {
        out.append(b)
        index += 1
        continue
      }
      index += 1
      guard index < bytes.count else { throw fail("unterminated escape") }
      let e = bytes[index]
      index += 1
      switch e {
      case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
      case UInt8(ascii: "b"): out.append(0x08)
      case UInt8(ascii: "f"): out.append(0x0C)
      case UInt8(ascii: "n"): out.append(0x0A)
      case UInt8(ascii: "r"): out.append(0x0D)
      case UInt8(ascii: "t"): out.append(0x09)
      case UInt8(ascii: "u"):
        var scalar = try hex4()
        if (0xD800..<0xDC00).contains(scalar) {
          // A high surrogate must be followed by an escaped low surrogate.
          guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
          else { throw fail("lone surrogate in a string") }
          index += 2
          let low = try hex4()
          guard (0xDC00..<0xE000).contains(low) else { throw fail("lone surrogate in a string") }
          scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        } else if (0xDC00..<0xE000).contains(scalar) {
          throw fail("lone surrogate in a string")
        }
        out.append(contentsOf: Array(String(Unicode.Scalar(scalar)!).utf8))
      default: throw fail("invalid escape")
      }
    }
  }

  mutating func hex4() throws(OrderedJSON.ParseError) -> UInt32 {
    guard index + 4 <= bytes.count else { throw fail("expected four hex digits") }
    var v: UInt32 = 0
    for b in bytes[index..<index + 4] {
      let d: UInt32
      switch b {
      case 0x30...0x39: d = UInt32(b - 0x30)
      case 0x41...0x46: d = UInt32(b - 0x41 + 10)
      case 0x61...0x66: d = UInt32(b - 0x61 + 10)
      default: throw fail("expected four hex digits")
      }
      v = v * 16 + d
    }
    index += 4
    return v
  }
}
