import Foundation
import FunctionsHostCore
import Testing

/// `JSONValue.quote` writes JSON string literals (trigger metadata's `Query` and `Headers`): the text
/// must read back unchanged through a JSON parser, with or without characters to escape.
@Suite struct JSONValueQuoteTests {
  @Test(arguments: [
    "", "plain", "välue ✓ 😀", "say \"hi\"", #"C:\path\file"#, "line\nbreak\r\ttab", "bell\u{07}nul\u{00}",
    "mixed \" \\ \u{1F} end",
  ])
  func quotedTextReadsBackUnchanged(text: String) throws {
    let quoted = JSONValue.quote(text)
    let decoded = try JSONSerialization.jsonObject(with: Data(quoted.utf8), options: .fragmentsAllowed)
    #expect(decoded as? String == text, "\(quoted)")
  }

  @Test func controlCharactersAreEscapedAsUnicode() {
    #expect(JSONValue.quote("a\u{01}b") == #""a\u0001b""#)
    #expect(JSONValue.quote("plain") == #""plain""#)
    #expect(JSONValue.quote("q\"b\\") == #""q\"b\\""#)
  }
}
