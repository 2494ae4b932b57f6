import Testing

@testable import FunctionsTriggers

@Suite("Queue poison policy (stock rules)")
struct QueuePoisonPolicyTests {
  let policy = QueuePoisonPolicy(queue: "orders", maxDequeueCount: 5, visibilityTimeout: .seconds(3))

  @Test func poisonQueueName() {
    #expect(policy.poisonQueue == "orders-poison")
    #expect(QueuePoisonPolicy.poisonQueueName(for: "orders-poison") == nil)
    #expect(QueuePoisonPolicy.poisonQueueName(for: String(repeating: "a", count: 57)) == nil)
    #expect(QueuePoisonPolicy.poisonQueueName(for: String(repeating: "a", count: 56)) != nil)
  }

  @Test(arguments: [(1, true, true), (5, true, true), (6, true, false), (1, false, false)])
  func beforeInvoking(dequeueCount: Int, decodes: Bool, invokes: Bool) {
    let decision = policy.beforeInvoking(dequeueCount: dequeueCount, bodyDecodes: decodes)
    if invokes {
      #expect(decision == .invoke)
    } else {
      guard case .poison(let reason) = decision else {
        Issue.record("expected poison, got \(decision)")
        return
      }
      #expect(reason.contains(decodes ? "dequeued" : "base64"))
    }
  }

  @Test func afterInvoking() {
    #expect(policy.afterInvoking(succeeded: true, dequeueCount: 5) == .delete)
    #expect(policy.afterInvoking(succeeded: false, dequeueCount: 1) == .release(after: .seconds(3)))
    #expect(policy.afterInvoking(succeeded: false, dequeueCount: 4) == .release(after: .seconds(3)))
    guard case .poison = policy.afterInvoking(succeeded: false, dequeueCount: 5) else {
      Issue.record("the fifth failure must poison")
      return
    }
  }

  @Test func withoutPoisonQueueFailedMessagesStayInvisible() {
    let p = QueuePoisonPolicy(queue: "x-poison", maxDequeueCount: 5, visibilityTimeout: .zero)
    #expect(p.afterInvoking(succeeded: false, dequeueCount: 9) == .leaveInvisible)
    guard case .skip = p.beforeInvoking(dequeueCount: 9, bodyDecodes: true) else {
      Issue.record("no poison queue: skip")
      return
    }
  }

  @Test func explicitPoisonQueue() {
    let p = QueuePoisonPolicy(
      queue: "azure-webjobs-blobtrigger-x", maxDequeueCount: 5, visibilityTimeout: .zero,
      poisonQueue: "webjobs-blobtrigger-poison")
    #expect(p.poisonQueue == "webjobs-blobtrigger-poison")
  }
}

@Suite("Polling back-off")
struct PollingBackoffTests {
  @Test func doublesWithJitterUpToTheMaximum() {
    var b = PollingBackoff(maximum: .seconds(1))
    #expect(b.next(random: 1.0) == .milliseconds(100))
    #expect(b.next(random: 1.0) == .milliseconds(200))
    #expect(b.next(random: 1.2) == .milliseconds(480))
    #expect(b.next(random: 1.0) == .milliseconds(800))
    #expect(b.next(random: 1.0) == .seconds(1))
    for _ in 0..<100 { #expect(b.next(random: 1.2) == .seconds(1)) }
    b.reset()
    #expect(b.next(random: 0.8) == .milliseconds(80))
  }
}
