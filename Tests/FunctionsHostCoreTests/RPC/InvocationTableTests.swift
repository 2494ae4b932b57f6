import Testing

@testable import FunctionsHostCore

@Suite struct InvocationTableTests {
  typealias Table = InvocationTable<Int>

  @Test func onlyTheEarliestDeadlineArmsATimer() {
    var t = Table()
    #expect(t.add("a", .init(functionName: "f", token: 1, deadline: .seconds(10))) == .seconds(10))
    #expect(t.add("b", .init(functionName: "f", token: 2, deadline: .seconds(12))) == nil, "a later deadline waits")
    #expect(t.add("c", .init(functionName: "f", token: 3, deadline: nil)) == nil, "no timeout, no timer")
    #expect(t.add("d", .init(functionName: "f", token: 4, deadline: .seconds(5))) == .seconds(5), "an earlier one re-arms")
    #expect(t.count == 4)
  }

  @Test func expiryTimesOutThenReportsAnUnresponsiveWorkerAfterTheGrace() {
    var t = Table()
    _ = t.add("a", .init(functionName: "f", token: 1, deadline: .seconds(10)))
    _ = t.add("b", .init(functionName: "f", token: 2, deadline: .seconds(20)))
    var e = t.expire(now: .seconds(10), grace: .seconds(5))
    #expect(e.expired.map(\.id) == ["a"])
    #expect(e.unresponsive.isEmpty)
    #expect(e.rearm == .seconds(15), "the cancel grace of a comes before b's deadline")
    e = t.expire(now: .seconds(15), grace: .seconds(5))
    #expect(e.expired.isEmpty)
    #expect(e.unresponsive == ["a"])
    #expect(e.rearm == .seconds(20), "b's deadline is next")
    _ = t.remove("a")
    e = t.expire(now: .seconds(16), grace: .seconds(5))
    #expect(e.rearm == nil, "already armed for b")
    #expect(t.remove("b")?.token == 2)
    #expect(t.isEmpty)
  }

  @Test func aSecondTimerChainDoesNotReArm() {
    var t = Table()
    _ = t.add("a", .init(functionName: "f", token: 1, deadline: .seconds(10)))
    #expect(t.expire(now: .seconds(1), grace: .seconds(5)).rearm == nil, "the armed timer still covers a")
    #expect(t.expire(now: .seconds(10), grace: .seconds(5)).rearm == .seconds(15))
  }
}
