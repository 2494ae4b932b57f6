import Testing

@testable import FunctionsHostCore

@Suite struct PromiseTests {
  @Test func everyConcurrentWaiterGetsTheValue() async throws {
    let promise = Promise<Int>()
    try await withThrowingTaskGroup(of: Int.self) { group in
      for _ in 0..<8 { group.addTask { try await promise.value() } }
      promise.complete(.success(42))
      var values: [Int] = []
      for try await v in group { values.append(v) }
      #expect(values == Array(repeating: 42, count: 8))
    }
    #expect(try await promise.value() == 42, "a waiter after completion gets the value at once")
  }

  @Test func aCancelledWaiterFailsAloneAndTheOthersStillGetTheValue() async throws {
    let promise = Promise<String>()
    let cancelled = Task { try await promise.value() }
    let other = Task { try await promise.value() }
    cancelled.cancel()
    await #expect(throws: CancellationError.self) { try await cancelled.value }
    #expect(!promise.isCompleted, "cancelling one waiter does not complete the promise")
    promise.complete(.success("ok"))
    #expect(try await other.value == "ok")
  }

  @Test func anAlreadyCancelledTaskDoesNotWait() async {
    let promise = Promise<Int>()
    let task = Task {
      withUnsafeCurrentTask { $0?.cancel() }
      return try await promise.value()
    }
    await #expect(throws: CancellationError.self) { try await task.value }
    #expect(!promise.isCompleted)
  }

  @Test func completingTwiceKeepsTheFirstResult() async throws {
    let promise = Promise<Int>()
    #expect(promise.complete(.success(1)))
    #expect(!promise.complete(.success(2)))
    #expect(try await promise.value() == 1)
  }

  @Test func failureReachesEveryWaiter() async {
    struct Boom: Error {}
    let promise = Promise<Int>()
    let a = Task { try await promise.value() }
    let b = Task { try await promise.value() }
    promise.complete(.failure(Boom()))
    await #expect(throws: Boom.self) { try await a.value }
    await #expect(throws: Boom.self) { try await b.value }
  }
}
