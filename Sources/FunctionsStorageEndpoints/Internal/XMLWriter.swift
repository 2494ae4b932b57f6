/// A tiny XML writer for the response bodies: elements, attributes and escaped text, no
/// namespaces, no pretty-printing.
///
/// ```swift
/// var xml = XMLWriter()
/// xml.element("QueueMessagesList") { xml in xml.element("MessageId", text: id) }
/// let body = xml.document   // <?xml version="1.0" encoding="utf-8"?><QueueMessagesList>…
/// ```
struct XMLWriter: Sendable {
  private var output = #"<?xml version="1.0" encoding="utf-8"?>"#

  /// A writer holding the XML declaration only.
  init() {}

  /// The document written so far.
  var document: String { output }

  /// `<name attr="…">…</name>` with children written by `content`.
  mutating func element(
    _ name: String, attributes: [(String, String)] = [], content: (inout XMLWriter) -> Void
  ) {
    open(name, attributes: attributes)
    content(&self)
    output += "</\(name)>"
  }

  /// `<name>text</name>`, or `<name />` when `text` is `nil`.
  mutating func element(_ name: String, text: String?) {
    guard let text else {
      output += "<\(name) />"
      return
    }
    output += "<\(name)>\(Self.escape(text))</\(name)>"
  }

  /// `<name>text</name>` only when `text` is not `nil`.
  mutating func optionalElement(_ name: String, text: String?) {
    if let text { element(name, text: text) }
  }

  private mutating func open(_ name: String, attributes: [(String, String)]) {
    output += "<\(name)"
    for (key, value) in attributes { output += " \(key)=\"\(Self.escape(value))\"" }
    output += ">"
  }

  /// `text` with `& < > " '` escaped (and other control characters as character references).
  static func escape(_ text: String) -> String {
    guard text.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 || $0 < 0x20 })
    else { return text }
    var escaped = ""
    escaped.reserveCapacity(text.utf8.count + 16)
    for scalar in text.unicodeScalars {
      switch scalar {
      case "&": escaped += "&amp;"
      case "<": escaped += "&lt;"
      case ">": escaped += "&gt;"
      case "\"": escaped += "&quot;"
      case "'": escaped += "&apos;"
      case "\t", "\n": escaped.unicodeScalars.append(scalar)
      case "\r": escaped += "&#xD;"
      case _ where scalar.value < 0x20: escaped += "&#x\(String(scalar.value, radix: 16, uppercase: true));"
      default: escaped.unicodeScalars.append(scalar)
      }
    }
    return escaped
  }
}
