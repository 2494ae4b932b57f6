import FunctionsRPC
import Logging
import Synchronization
import Testing

@testable import FunctionsHostCore

/// The channel alone: a fake stream, no gRPC, no process.
@Suite struct WorkerChannelTests {
  /// A stream that hands every written message to the test.
  final class FakeStream: WorkerMessageSink {
    let written: AsyncStream<StreamingMessage>
    private let continuation: AsyncStream<StreamingMessage>.Continuation
    init() { (written, continuation) = AsyncStream.makeStream() }
    func write(_ message: StreamingMessage) async throws { continuation.yield(message) }
  }

  struct Fixture {
    let channel: WorkerChannel
    let stream = FakeStream()
    let events: AsyncStream<WorkerLifecycle.Event>
    let clock: ManualClock

    init() {
      let clock = ManualClock()
      let (events, sink) = AsyncStream<WorkerLifecycle.Event>.makeStream()
      self.events = events
      self.clock = clock
      channel = WorkerChannel(
        workerID: "w", slot: 2, logger: Logger(label: "test"), cancelGrace: .seconds(5), clock: TimerClock(clock),
        events: sink)
    }
  }

  static func request(_ id: String) -> AzureFunctionsRpcMessages_InvocationRequest {
    var r = AzureFunctionsRpcMessages_InvocationRequest()
    r.invocationID = id
    r.functionID = "f"
    return r
  }

  static func response(_ id: String, _ text: String) -> StreamingMessage {
    var m = StreamingMessage()
    m.invocationResponse.invocationID = id
    m.invocationResponse.result.status = .success
    m.invocationResponse.returnValue.string = text
    return m
  }

  @Test func attachReportsTheStreamOnceAndRefusesASecond() async {
    let f = Fixture()
    #expect(f.channel.attach(writer: f.stream))
    #expect(!f.channel.attach(writer: FakeStream()))
    f.channel.streamEnded(reason: "gone")
    var events = f.events.makeAsyncIterator()
    #expect(await events.next() == .streamAttached)
    #expect(await events.next() == .streamEnded("gone"))
  }

  @Test func initializeRecordsCapabilitiesFromTheReply() async throws {
    let f = Fixture()
    _ = f.channel.attach(writer: f.stream)
    try await withThrowingTaskGroup(of: Void.self) { group in
      group.addTask {
        let response = try await f.channel.initialize(
          hostVersion: "h", workerDirectory: "/w", appDirectory: "/a", capabilities: [:])
        #expect(response.result.status == .success)
      }
      var sent = f.stream.written.makeAsyncIterator()
      let request = await sent.next()
      #expect(request?.workerInitRequest.hostVersion == "h")
      var reply = StreamingMessage()
      reply.workerInitResponse.result.status = .success
      reply.workerInitResponse.capabilities = ["WorkerStatus": "true", "Empty": ""]
      f.channel.receive(reply)
      try await group.waitForAll()
    }
    #expect(f.channel.has(capability: "WorkerStatus"))
    #expect(!f.channel.has(capability: "Empty"), "an empty value is not a capability")
  }

  @Test func anInvocationIsAnsweredAndIdleFollows() async throws {
    let f = Fixture()
    _ = f.channel.attach(writer: f.stream)
    try await withThrowingTaskGroup(of: String.self) { group in
      group.addTask { try await f.channel.invoke(Self.request("i1"), functionName: "fn").returnValue.string }
      var sent = f.stream.written.makeAsyncIterator()
      #expect(await sent.next()?.invocationRequest.invocationID == "i1")
      #expect(f.channel.outstanding == 1)
      f.channel.receive(Self.response("i1", "done"))
      let answer = try await group.next()
      #expect(answer == "done")
    }
    #expect(f.channel.outstanding == 0)
    await f.channel.waitUntilIdle()
  }

  @Test func closingFailsEveryInvocationWithTheReason() async throws {
    let f = Fixture()
    _ = f.channel.attach(writer: f.stream)
    await withTaskGroup(of: FunctionsHostError?.self) { group in
      for id in ["a", "b"] {
        group.addTask {
          do {
            _ = try await f.channel.invoke(Self.request(id), functionName: "fn")
            return nil
          } catch { return error as? FunctionsHostError }
        }
      }
      var sent = f.stream.written.makeAsyncIterator()
      _ = await sent.next()
      _ = await sent.next()
      f.channel.close(reason: "worker 2 (pid 9) was killed by signal 9")
      f.channel.close(reason: "a later reason")
      for await error in group {
        #expect(error?.code == .workerExited)
        #expect(error?.message == "worker 2 (pid 9) was killed by signal 9", "the first reason wins")
      }
    }
    #expect(f.channel.closeReason == "worker 2 (pid 9) was killed by signal 9")
    await #expect(throws: FunctionsHostError.self) { try await f.channel.invoke(Self.request("c"), functionName: "fn") }
  }

  @Test func aDeadlineArmsOneTimerAndExpiryFailsTheCallerThenFindsAnUnresponsiveWorker() async throws {
    let f = Fixture()
    _ = f.channel.attach(writer: f.stream)
    var events = f.events.makeAsyncIterator()
    #expect(await events.next() == .streamAttached)
    try await withThrowingTaskGroup(of: Void.self) { group in
      group.addTask {
        let error = await #expect(throws: FunctionsHostError.self) {
          try await f.channel.invoke(Self.request("slow"), functionName: "fn", timeout: .seconds(60))
        }
        #expect(error?.code == .timeout)
      }
      #expect(await events.next() == .invocationDeadline(after: .seconds(60)))
      f.clock.advance(by: .seconds(60))
      let expiry = f.channel.expireInvocations()
      #expect(expiry.expired == ["slow"])
      #expect(expiry.next == .seconds(5), "the cancel grace")
      try await group.waitForAll()
    }
    #expect(f.channel.outstanding == 1, "the worker still owes its answer")
    f.clock.advance(by: .seconds(5))
    #expect(f.channel.expireInvocations().unresponsive == ["slow"])
    f.channel.receive(Self.response("slow", "late"))
    #expect(f.channel.outstanding == 0)
  }

  static func stillRunning(_ id: String) -> StreamingMessage {
    var m = StreamingMessage()
    m.rpcLog.invocationID = id
    m.rpcLog.eventID = WorkerSignals.invocationStillRunning
    m.rpcLog.level = .warning
    m.rpcLog.message = "still running"
    return m
  }

  @Test func theStillRunningSignalOfATimedOutInvocationReportsItStuck() async throws {
    let f = Fixture()
    _ = f.channel.attach(writer: f.stream)
    var events = f.events.makeAsyncIterator()
    #expect(await events.next() == .streamAttached)
    try await withThrowingTaskGroup(of: Void.self) { group in
      group.addTask { _ = try? await f.channel.invoke(Self.request("fresh"), functionName: "fn") }
      group.addTask { _ = try? await f.channel.invoke(Self.request("spin"), functionName: "fn", timeout: .seconds(60)) }
      var sent = f.stream.written.makeAsyncIterator()
      _ = await sent.next()
      _ = await sent.next()  // both are in the table once written
      f.clock.advance(by: .seconds(60))
      #expect(f.channel.expireInvocations().expired == ["spin"])
      // Not timed out (a cancel because the caller went away): not acted on.
      f.channel.receive(Self.stillRunning("fresh"))
      f.channel.receive(Self.stillRunning("spin"))
      #expect(await events.next() == .invocationDeadline(after: .seconds(60)))
      #expect(await events.next() == .invocationStuck(invocationID: "spin"))
      f.channel.abandonInvocation("spin")
      #expect(f.channel.outstanding == 1, "the stuck invocation is forgotten, the other one is kept")
      f.channel.receive(Self.response("fresh", "ok"))
      try await group.waitForAll()
    }
    #expect(f.channel.outstanding == 0)
  }
}
