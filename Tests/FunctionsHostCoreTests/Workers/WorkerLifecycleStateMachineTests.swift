import Testing

@testable import FunctionsHostCore

/// Every transition, timeout and crash phase of one worker's life, without a process.
@Suite struct WorkerLifecycleStateMachineTests {
  typealias Machine = WorkerLifecycle.StateMachine
  typealias Event = WorkerLifecycle.Event
  typealias Action = WorkerLifecycle.Action

  static let timeouts: WorkerLifecycle.Timeouts = {
    var t = WorkerLifecycle.Timeouts()
    t.start = .seconds(1)
    t.initialize = .seconds(2)
    t.index = .seconds(3)
    t.load = .seconds(4)
    t.drain = .seconds(5)
    t.terminateGrace = .seconds(6)
    t.streamLoss = .milliseconds(500)
    t.healthInterval = .seconds(10)
    t.healthTimeout = .seconds(11)
    return t
  }()

  static let f1 = FunctionMetadata(name: "one", functionID: "id1", directory: "/a", scriptFile: "/a/x.py", bindings: [])
  static let f2 = FunctionMetadata(name: "two", functionID: "id2", directory: "/a", scriptFile: "/a/x.py", bindings: [])

  /// Named phases reached by a sequence of events from a fresh machine.
  enum Reached: String, CaseIterable, CustomTestStringConvertible {
    case launching, awaitingStream, initializing, resolvingFunctions, loading, ready, draining, streamLost, terminating

    var events: [Event] {
      let toReady: [Event] = [
        .processStarted(pid: 7), .streamAttached, .initAnswered(.success(capabilities: [])),
        .functionsResolved([WorkerLifecycleStateMachineTests.f1, WorkerLifecycleStateMachineTests.f2]),
        .loadAnswered(functionID: "id1"), .loadAnswered(functionID: "id2"),
      ]
      switch self {
      case .launching: return []
      case .awaitingStream: return Array(toReady.prefix(1))
      case .initializing: return Array(toReady.prefix(2))
      case .resolvingFunctions: return Array(toReady.prefix(3))
      case .loading: return Array(toReady.prefix(4))
      case .ready: return toReady
      case .draining: return toReady + [.shutdownRequested]
      case .streamLost: return toReady + [.streamEnded("closed")]
      case .terminating: return toReady + [.shutdownRequested, .idle]
      }
    }

    var testDescription: String { rawValue }
  }

  static func machine(at reached: Reached, capabilities: Set<String> = []) -> Machine {
    var m = Machine(slot: 3, timeouts: timeouts)
    for event in reached.events {
      if case .initAnswered = event {
        _ = m.handle(.initAnswered(.success(capabilities: capabilities)))
      } else {
        _ = m.handle(event)
      }
    }
    return m
  }

  // MARK: - The happy path

  @Test func happyPathFromLaunchToExit() {
    var m = Machine(slot: 3, timeouts: Self.timeouts)
    #expect(m.phase == .launching)
    #expect(m.handle(.processStarted(pid: 7)) == [.startTimer(.start, after: .seconds(1))])
    #expect(m.handle(.streamAttached) == [.initialize, .startTimer(.initialize, after: .seconds(2))])
    #expect(m.handle(.initAnswered(.success(capabilities: []))) == [.resolveFunctions, .startTimer(.index, after: .seconds(3))])
    #expect(m.handle(.functionsResolved([Self.f1, Self.f2])) == [.load([Self.f1, Self.f2]), .startTimer(.load, after: .seconds(4))])
    #expect(m.handle(.loadAnswered(functionID: "id1")) == [])
    #expect(m.handle(.loadAnswered(functionID: "id1")) == [], "a duplicate answer counts once")
    #expect(m.handle(.loadAnswered(functionID: "id2")) == [.markReady(functionCount: 2)])
    #expect(m.phase == .ready && m.becameReady)
    #expect(
      m.handle(.shutdownRequested)
        == [.stopRouting, .log(.info, "worker 3 is draining"), .awaitIdle, .startTimer(.drain, after: .seconds(5))])
    #expect(m.handle(.shutdownRequested) == [], "asking twice changes nothing")
    #expect(m.handle(.idle) == [.log(.info, "worker 3 drained; stopping it"), .terminateProcess])
    #expect(m.phase == .terminating)
    #expect(m.handle(.streamEnded("closed")) == [], "an expected stream end waits for the exit")
    #expect(
      m.handle(.processExited("worker 3 (pid 7) exited with code 0"))
        == [
          .stopRouting, .closeChannel("worker 3 (pid 7) exited with code 0"),
          .log(.info, "worker 3 stopped (worker 3 (pid 7) exited with code 0)"), .finish(becameReady: true),
        ])
    #expect(m.isFinished)
    #expect(m.handle(.streamEnded("late")) == [], "nothing happens after the end")
  }

  @Test func streamBeforeProcessStartedEventStillInitializes() {
    var m = Machine(slot: 0, timeouts: Self.timeouts)
    #expect(m.handle(.streamAttached) == [])
    #expect(m.handle(.processStarted(pid: 1)) == [.initialize, .startTimer(.initialize, after: .seconds(2))])
  }

  @Test func anAppWithoutFunctionsIsReadyAtOnce() {
    var m = Self.machine(at: .resolvingFunctions)
    #expect(m.handle(.functionsResolved([])) == [.markReady(functionCount: 0)])
  }

  @Test func drainingWithTerminateCapabilitySendsWorkerTerminateThenTearsDownAfterGrace() {
    var m = Self.machine(at: .draining, capabilities: ["HandlesWorkerTerminateMessage"])
    #expect(
      m.handle(.idle)
        == [
          .log(.info, "worker 3 drained; stopping it"), .sendTerminate(grace: .seconds(6)),
          .startTimer(.terminate, after: .seconds(6)),
        ])
    #expect(
      m.handle(.timerFired(.terminate))
        == [.log(.warning, "worker 3 did not exit within 6.0 s of WorkerTerminate"), .terminateProcess])
  }

  @Test func drainTimeoutStopsTheWorkerEvenWithInvocationsInFlight() {
    var m = Self.machine(at: .draining)
    #expect(
      m.handle(.timerFired(.drain))
        == [.log(.warning, "worker 3 still had invocations in flight after 5.0 s; stopping it"), .terminateProcess])
    #expect(m.handle(.idle) == [], "idle after the drain timer is stale")
  }

  // MARK: - Timeouts of each phase

  @Test(arguments: [
    (Reached.awaitingStream, WorkerLifecycle.Timer.start, "worker 3 did not open its stream (StartStream) within 1.0 s"),
    (.initializing, .initialize, "worker 3 did not answer WorkerInitRequest within 2.0 s"),
    (.resolvingFunctions, .index, "worker 3: the app's functions were not indexed within 3.0 s"),
    (.loading, .load, "worker 3 did not answer the load of id1, id2 within 4.0 s"),
  ])
  func aStartPhaseTimeoutFailsAndTearsDown(phase: Reached, timer: WorkerLifecycle.Timer, message: String) {
    var m = Self.machine(at: phase)
    #expect(m.handle(.timerFired(timer)) == [.log(.error, message), .stopRouting, .closeChannel(message), .terminateProcess])
    #expect(m.phase == .terminating)
    let exit = m.handle(.processExited("worker 3 (pid 7) was killed by signal 15 (SIGTERM)"))
    #expect(exit.last == .finish(becameReady: false))
    #expect(exit.contains(.log(.info, "worker 3 stopped (worker 3 (pid 7) was killed by signal 15 (SIGTERM))")))
  }

  /// A timer of a phase that has passed is ignored in every later phase.
  @Test(arguments: Reached.allCases)
  func staleTimersAreIgnored(phase: Reached) {
    let stale: [WorkerLifecycle.Timer: [Reached]] = [
      .start: [.awaitingStream], .initialize: [.initializing], .index: [.resolvingFunctions], .load: [.loading],
      .drain: [.draining], .streamLoss: [.streamLost], .terminate: [.terminating],
    ]
    for (timer, activeIn) in stale where !activeIn.contains(phase) {
      var m = Self.machine(at: phase)
      let before = m.phase
      #expect(m.handle(.timerFired(timer)) == [], "\(timer) in \(phase)")
      #expect(m.phase == before)
    }
  }

  @Test func initFailureFails() {
    var m = Self.machine(at: .initializing)
    let message = "worker 3 failed to initialize: bad python"
    #expect(m.handle(.initAnswered(.failure("bad python"))) == [.log(.error, message), .stopRouting, .closeChannel(message), .terminateProcess])
  }

  @Test func indexingFailureFails() {
    var m = Self.machine(at: .resolvingFunctions)
    #expect(m.handle(.functionsFailed("boom")).first == .log(.error, "worker 3: boom"))
    #expect(m.phase == .terminating)
  }

  // MARK: - Crashes in every phase: the exit reason is decided in one place

  /// The process exits without a stream end first: its exit status names the reason, at once.
  @Test(arguments: Reached.allCases)
  func aCrashIsNamedByTheExitStatus(phase: Reached) {
    var m = Self.machine(at: phase)
    let actions = m.handle(.processExited("worker 3 (pid 7) was killed by signal 9 (SIGKILL)"))
    #expect(actions.contains(.closeChannel("worker 3 (pid 7) was killed by signal 9 (SIGKILL)")))
    #expect(actions.last == .finish(becameReady: [.ready, .draining, .streamLost, .terminating].contains(phase)))
    let expected = [.draining, .terminating].contains(phase)
    #expect(actions.contains { if case .log(let level, _) = $0 { level == (expected ? .info : .error) } else { false } })
    #expect(m.isFinished)
  }

  /// The stream ends first and the process exits within the grace: the exit status still names it.
  @Test(arguments: [Reached.awaitingStream, .initializing, .resolvingFunctions, .loading, .ready, .draining])
  func streamEndThenExitIsNamedByTheExit(phase: Reached) {
    var m = Self.machine(at: phase)
    #expect(m.handle(.streamEnded("worker 3 closed its stream")) == [.stopRouting, .startTimer(.streamLoss, after: .milliseconds(500))])
    let actions = m.handle(.processExited("worker 3 (pid 7) exited with code 1"))
    #expect(actions.contains(.closeChannel("worker 3 (pid 7) exited with code 1")))
    #expect(!actions.contains(.closeChannel("worker 3 closed its stream")))
  }

  /// The stream ends and the process lingers: the stream's end names it and the process is torn down.
  @Test func streamEndWithoutExitTearsDownAfterTheGrace() {
    var m = Self.machine(at: .ready)
    _ = m.handle(.streamEnded("worker 3 closed its stream"))
    #expect(
      m.handle(.timerFired(.streamLoss))
        == [
          .closeChannel("worker 3 closed its stream"), .log(.warning, "worker 3 closed its stream; stopping its process"),
          .terminateProcess,
        ])
    let exit = m.handle(.processExited("worker 3 (pid 7) was killed by signal 15 (SIGTERM)"))
    #expect(exit.last == .finish(becameReady: true))
  }

  @Test func aProcessThatCannotStartFinishesAtOnce() {
    var m = Machine(slot: 1, timeouts: Self.timeouts)
    #expect(
      m.handle(.processFailedToStart("python9: not found"))
        == [
          .closeChannel("worker 1 could not be started: python9: not found"),
          .log(.error, "worker 1 could not be started: python9: not found"), .finish(becameReady: false),
        ])
  }

  // MARK: - Shutdown in every phase

  @Test(arguments: [Reached.launching, .awaitingStream, .initializing, .resolvingFunctions, .loading])
  func shutdownBeforeReadyTearsDownAtOnce(phase: Reached) {
    var m = Self.machine(at: phase)
    #expect(
      m.handle(.shutdownRequested)
        == [.stopRouting, .closeChannel("worker 3 was stopped before it became ready"), .terminateProcess])
    #expect(m.handle(.processStarted(pid: 9)) == [], "a late start does not restart the handshake")
  }

  @Test(arguments: [Reached.streamLost, .terminating])
  func shutdownWhileEndingChangesNothing(phase: Reached) {
    var m = Self.machine(at: phase)
    #expect(m.handle(.shutdownRequested) == [])
  }

  // MARK: - Health probes

  @Test func healthProbesRepeatWhileAnswered() {
    var m = Self.machine(at: .loading, capabilities: ["WorkerStatus"])
    #expect(m.handle(.loadAnswered(functionID: "id1")) == [])
    #expect(m.handle(.loadAnswered(functionID: "id2")) == [.markReady(functionCount: 2), .startTimer(.health(probe: 1), after: .seconds(10))])
    #expect(m.handle(.timerFired(.health(probe: 1))) == [.probeHealth(probe: 1), .startTimer(.healthTimeout(probe: 1), after: .seconds(11))])
    #expect(m.handle(.healthAnswered(probe: 1)) == [.startTimer(.health(probe: 2), after: .seconds(10))])
    #expect(m.handle(.timerFired(.healthTimeout(probe: 1))) == [], "an answered probe's timeout is stale")
    #expect(m.handle(.timerFired(.health(probe: 2))) == [.probeHealth(probe: 2), .startTimer(.healthTimeout(probe: 2), after: .seconds(11))])
    let message = "worker 3 did not answer a health probe within 11.0 s; replacing it"
    #expect(
      m.handle(.timerFired(.healthTimeout(probe: 2)))
        == [.log(.error, message), .stopRouting, .closeChannel("worker 3 stopped answering health probes and was replaced"), .terminateProcess])
  }

  @Test func noProbesWithoutTheCapability() {
    var m = Self.machine(at: .loading)
    _ = m.handle(.loadAnswered(functionID: "id1"))
    #expect(m.handle(.loadAnswered(functionID: "id2")) == [.markReady(functionCount: 2)])
  }

  // MARK: - Invocation deadlines

  @Test func invocationDeadlinesArmATimerAndAnUnresponsiveWorkerIsReplacedAfterADrain() {
    var m = Self.machine(at: .ready)
    #expect(m.handle(.invocationDeadline(after: .seconds(30))) == [.startTimer(.invocations, after: .seconds(30))])
    #expect(m.handle(.timerFired(.invocations)) == [.expireInvocations])
    let actions = m.handle(.invocationUnresponsive(invocationID: "inv"))
    #expect(
      actions == [
        .abandonInvocation("inv"), .stopRouting,
        .log(.warning, "worker 3 did not stop timed-out invocation inv within the cancel grace; starting a replacement worker, then draining this one"),
        .startReplacement,
      ])
    #expect(m.phase == .ready, "the worker is not killed: its other invocations may finish")
    #expect(m.handle(.timerFired(.invocations)) == [.expireInvocations], "its other invocations still time out")
    // The replacement is ready: the supervisor asks this worker to shut down; it drains.
    #expect(m.handle(.shutdownRequested).contains(.awaitIdle))
    #expect(m.phase == .draining)
  }

  @Test func aStuckInvocationStartsOneReplacementAndTheWorkerKeepsServingUntilItIsReady() {
    var m = Self.machine(at: .ready)
    let first = m.handle(.invocationStuck(invocationID: "a"))
    #expect(first.first == .abandonInvocation("a"))
    #expect(!first.contains(.stopRouting), "its event loop is fine: it serves until the replacement is ready")
    #expect(first.last == .startReplacement)
    #expect(!first.contains(.terminateProcess) && !first.contains { if case .closeChannel = $0 { true } else { false } })
    // A second stuck call while the replacement starts: no second replacement.
    let second = m.handle(.invocationStuck(invocationID: "b\n[ERROR] forged"))
    #expect(second.first == .abandonInvocation("b\n[ERROR] forged"))
    #expect(!second.contains(.startReplacement))
    #expect(second.contains { if case .log(_, let text) = $0 { text.contains("b\\n[ERROR] forged") } else { false } }, "the id is escaped")
    #expect(m.handle(.shutdownRequested).contains(.awaitIdle))
    // While draining, a stuck call is only forgotten, so the drain does not wait for it.
    #expect(m.handle(.invocationStuck(invocationID: "c")).first == .abandonInvocation("c"))
    #expect(m.handle(.idle).contains(.terminateProcess))
  }

  @Test(arguments: [Reached.launching, .awaitingStream, .initializing, .loading, .streamLost, .terminating])
  func aStuckInvocationOutsideReadyOrDrainingIsIgnored(_ reached: Reached) {
    var m = Self.machine(at: reached)
    #expect(m.handle(.invocationStuck(invocationID: "a")) == [])
    #expect(m.handle(.invocationUnresponsive(invocationID: "a")) == [])
  }
}
