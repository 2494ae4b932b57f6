import Testing

@testable import FunctionsHostHTTP

@Suite("Minimum request-body rate (pure meter)")
struct BodyRateMeterTests {
  @Test func aClientThatKeepsUpIsFineAndOneThatStallsIsTooSlow() {
    var m = BodyRateMeter(bytesPerSecond: 100, grace: .seconds(1))
    m.bodyStarted()
    // Waiting from t=0: 1 s grace before anything is owed.
    #expect(m.readRequested(at: .zero) == .seconds(1))
    #expect(m.check(at: .milliseconds(500)) == .fine(nextCheckIn: .milliseconds(500)))
    m.received(50)  // 50 bytes buy half a second more
    m.readCompleted(at: .milliseconds(600))
    #expect(m.readRequested(at: .milliseconds(600)) == .milliseconds(900))
    #expect(m.check(at: .milliseconds(1_600)) == .tooSlow)
  }

  @Test func timeTheHostIsNotReadingDoesNotCount() {
    var m = BodyRateMeter(bytesPerSecond: 100, grace: .seconds(1))
    m.bodyStarted()
    _ = m.readRequested(at: .zero)
    m.readCompleted(at: .milliseconds(900))
    // Ten seconds of back-pressure (no read asked): nothing owed for them.
    #expect(m.check(at: .seconds(10)) == .idle)
    #expect(m.readRequested(at: .seconds(10)) == .milliseconds(100))
  }

  @Test func noBodyNoMeter() {
    var m = BodyRateMeter(bytesPerSecond: 100, grace: .seconds(1))
    #expect(m.readRequested(at: .zero) == nil)
    m.bodyStarted()
    m.bodyEnded()
    #expect(m.readRequested(at: .seconds(5)) == nil)
    #expect(m.check(at: .seconds(50)) == .idle)
  }
}
