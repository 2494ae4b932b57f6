import Testing

@testable import FunctionsHostCore

@Suite struct RestartPolicyTests {
  @Test func crashLoopsBackOffAndAHealthyRunResets() {
    var backoff = Backoff()
    backoff.jitter = 0
    var p = RestartPolicy(backoff: backoff, healthyRun: .seconds(1))
    #expect(p.delay(becameReady: false, ran: .milliseconds(10), random: 0) == .milliseconds(100))
    #expect(p.delay(becameReady: false, ran: .milliseconds(10), random: 0) == .milliseconds(200))
    #expect(p.delay(becameReady: true, ran: .milliseconds(500), random: 0) == .milliseconds(400), "ready but short")
    #expect(p.delay(becameReady: true, ran: .seconds(5), random: 0) == .milliseconds(100), "served a while")
    #expect(p.consecutiveFailures == 1)
  }
}
