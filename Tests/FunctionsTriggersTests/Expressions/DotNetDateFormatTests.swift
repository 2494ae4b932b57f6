import Foundation
import FunctionsTriggers
import Testing

@Suite("DotNetDateFormat")
struct DotNetDateFormatTests {
  static let date = Date(timeIntervalSince1970: 1_709_269_384.0071234)  // 2024-03-01T05:03:04.0071234Z

  @Test(
    "subset of .NET custom formats",
    arguments: [
      ("yyyy-MM-dd", "2024-03-01"), ("yy/M/d", "24/3/1"), ("HH:mm:ss", "05:03:04"), ("H:m:s", "5:3:4"),
      ("fff", "007"), ("f", "0"), ("ffffff", "007123"), ("fffffff", "0071230"), ("yyyy-MM-ddTHH-mm-ssZ", "2024-03-01T05-03-04Z"),
      ("'year' yyyy", "year 2024"), (#"\y\y yyyy"#, "yy 2024"), ("%d", "1"), ("yyyyMMdd_HHmm", "20240301_0503"),
    ])
  func formats(format: String, expected: String) throws {
    #expect(try DotNetDateFormat.render(Self.date, format) == expected)
  }

  @Test("unsupported specifiers are rejected", arguments: ["MMM", "ddd", "hh", "tt", "zzz", "K", "FFF", "yyy", "ffffffff", "'open", "g"])
  func rejects(format: String) {
    #expect(throws: DotNetDateFormat.Unsupported.self) { try DotNetDateFormat.render(Self.date, format) }
  }
}
