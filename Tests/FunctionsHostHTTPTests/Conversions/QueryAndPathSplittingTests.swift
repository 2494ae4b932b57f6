import FunctionsHostCore
import Testing

@testable import FunctionsHostHTTP

/// The request target is split byte by byte on ASCII delimiters (`?`, `#`, `/`, `&`, `=`): the same parts
/// as a split by character, non-ASCII text included.
@Suite struct QueryAndPathSplittingTests {
  @Test(arguments: ["", "a", "&", "a&&b&", "&a&b", "ñ&é&&😀x&", "a=1&b=2"])
  func splittingOnAnASCIIByteMatchesSplittingByCharacter(text: String) {
    for omitting in [true, false] {
      let bytes = text.split(onASCII: UInt8(ascii: "&"), omittingEmptySubsequences: omitting).map(String.init)
      let characters = text.split(separator: "&", omittingEmptySubsequences: omitting).map(String.init)
      #expect(bytes == characters, "omitting empty: \(omitting)")
    }
  }

  @Test func queryParametersGroupKeysCaseInsensitivelyInFirstSeenOrder() {
    let query = QueryParameters(parsing: "a=1&&B=2&A=3&=x&c&ñ=%C3%A9&b=4+5&Ü=ü")
    #expect(query.entries.map(\.key) == ["a", "B", "c", "ñ", "Ü"])
    #expect(query.entries.map(\.values) == [["1", "3"], ["2", "4 5"], [""], ["é"], ["ü"]])
    #expect(QueryParameters(parsing: nil).isEmpty)
    #expect(QueryParameters(parsing: "&&").isEmpty)
  }

  @Test func theQueryIsWhatFollowsTheFirstQuestionMarkUpToAHash() {
    #expect(InvocationInput.query(of: "/api/x?a=1?b#frag") == "a=1?b")
    #expect(InvocationInput.query(of: "/api/é?ü=1") == "ü=1")
    #expect(InvocationInput.query(of: "/api/x") == nil)
    #expect(RequestPath.path(of: "/api/é/x?q#f") == "/api/é/x")
    #expect(RequestPath.path(of: "/api#f?q") == "/api")
  }

  @Test func pathSegmentsIgnoreOneLeadingAndOneTrailingSlash() {
    #expect(RequestPath.segments(of: "/") == [])
    #expect(RequestPath.segments(of: "") == [])
    #expect(RequestPath.segments(of: "/a//b/") == ["a", "", "b"])
    #expect(RequestPath.segments(of: "a/b") == ["a", "b"])
    #expect(RequestPath.segments(of: "/ü/%C3%A9/x%2Fy") == ["ü", "é", "x%2Fy"])
    #expect(RequestPath.segments(of: "//") == [""])
  }
}
