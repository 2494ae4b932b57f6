import Testing

@testable import FunctionsHostCore

/// Untrusted values in log lines: no forged lines, no terminal escape codes.
@Suite struct LogSafeTests {
  @Test(arguments: [
    ("plain-id_42", "plain-id_42"),
    ("a\nb", "a\\nb"),
    ("a\r\nb", "a\\r\\nb"),
    ("tab\there", "tab\\there"),
    ("\u{1B}[31mred\u{1B}[0m", "\\u{1b}[31mred\\u{1b}[0m"),
    ("nul\u{0}x", "nul\\u{0}x"),
    ("del\u{7F}c1\u{85}", "del\\u{7f}c1\\u{85}"),
    ("line\u{2028}sep", "line\\u{2028}sep"),
    ("bidi\u{202E}txt", "bidi\\u{202e}txt"),
    ("back\\slash", "back\\\\slash"),
    ("héllo wörld ✓", "héllo wörld ✓"),
  ])
  func escape(_ input: String, _ expected: String) {
    #expect(LogSafe.escape(input) == expected)
  }

  @Test func aForgedLineStaysInsideItsLine() {
    let forged = "w1\n12:00:00.000 ERROR host is compromised\u{1B}[2K"
    let escaped = LogSafe.escape(forged)
    #expect(!escaped.contains("\n") && !escaped.contains("\u{1B}"))
    #expect(escaped.allSatisfy { !$0.isNewline })
  }

  @Test func escapeCutsLongValues() {
    #expect(LogSafe.escape(String(repeating: "x", count: 10), limit: 4) == "xxxx…(10 characters)")
    #expect(LogSafe.escape("abc", limit: 4) == "abc")
  }

  @Test func messagesKeepTheirLinesIndentedSoNoneLooksLikeANewLogLine() {
    let text = "Traceback:\n  File \"x.py\"\n12:00:00.000 ERROR forged\r\u{1B}[1A"
    let safe = LogSafe.message(text)
    let lines = safe.split(separator: "\n", omittingEmptySubsequences: false)
    #expect(lines.count == 3)
    #expect(lines.dropFirst().allSatisfy { $0.hasPrefix(LogSafe.continuationIndent) })
    #expect(!safe.contains("\r") && !safe.contains("\u{1B}"))
    #expect(lines.last == "\(LogSafe.continuationIndent)12:00:00.000 ERROR forged\\r\\u{1b}[1A")
  }

  @Test func errnoIsNamed() {
    #expect(LogSafe.errnoDescription(24).contains("(errno 24)"))
  }
}
