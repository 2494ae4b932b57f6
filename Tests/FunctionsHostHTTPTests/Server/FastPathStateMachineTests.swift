import Testing

@testable import FunctionsHostHTTP

@Suite("Event-loop path: which request goes where, in order")
struct FastPathStateMachineTests {
  @Test func anEligibleRequestIsCollectedThenInvoked() {
    var m = FastPathStateMachine()
    #expect(m.head(eligible: true) == .startCollecting)
    #expect(m.body() == .collect)
    #expect(m.end() == .invoke)
    #expect(m.mode == .awaiting)
    m.answered()
    #expect(m.mode == .idle)
  }

  @Test func anIneligibleRequestIsPassedOnAndCounted() {
    var m = FastPathStateMachine()
    #expect(m.head(eligible: false) == .forward)
    #expect(m.body() == .forward)
    #expect(m.end() == .forward)
    #expect(m.passedOutstanding == 1)
    // While Hummingbird still owes a response, even an eligible request goes to it (order).
    #expect(m.head(eligible: true) == .forward)
    #expect(m.end() == .forward)
    #expect(m.passedOutstanding == 2)
    m.passedResponseEnded()
    m.passedResponseEnded()
    #expect(m.head(eligible: true) == .startCollecting)
  }

  @Test func partsBehindARunningInvocationAreHeld() {
    var m = FastPathStateMachine()
    _ = m.head(eligible: true)
    _ = m.end()
    #expect(m.head(eligible: true) == .hold)
    #expect(m.body() == .hold)
    #expect(m.end() == .hold)
    m.answered()
    #expect(m.head(eligible: true) == .startCollecting)
  }

  @Test func aRequestThatCannotStartFallsBackBehindNothing() {
    var m = FastPathStateMachine()
    _ = m.head(eligible: true)
    _ = m.end()
    m.fellBack()
    #expect(m.mode == .idle)
    #expect(m.passedOutstanding == 1)
    #expect(m.head(eligible: true) == .forward)
  }

  @Test func aHeadRefusedByTheBudgetIsPassedOn() {
    var m = FastPathStateMachine()
    #expect(m.head(eligible: true) == .startCollecting)
    m.passInstead()
    #expect(m.body() == .forward)
    #expect(m.end() == .forward)
    #expect(m.passedOutstanding == 1)
  }
}
