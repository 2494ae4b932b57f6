import Foundation
import Testing

@testable import FunctionsHostCore

@Suite("Invocation ids")
struct InvocationIDGeneratorTests {
  @Test func idsAreLowerCaseVersion4UUIDsAndUnique() {
    let generator = InvocationIDGenerator()
    var seen = Set<String>()
    for _ in 0 ..< 10_000 {
      let id = generator.next()
      #expect(id.count == 36)
      #expect(id == id.lowercased())
      let uuid = try? #require(UUID(uuidString: id))
      #expect(uuid?.uuidString.lowercased() == id)
      let chars = Array(id)
      #expect(chars[14] == "4")
      #expect("89ab".contains(chars[19]))
      seen.insert(id)
    }
    #expect(seen.count == 10_000)
  }

  @Test func everyBitOfTheUniquePartReachesTheText() {
    // Values differing in any one bit of `high` give different text.
    let base = InvocationIDGenerator.format(high: 0, low: 0)
    for bit in 0 ..< 64 {
      #expect(InvocationIDGenerator.format(high: 1 << UInt64(bit), low: 0) != base, "bit \(bit)")
    }
  }
}
