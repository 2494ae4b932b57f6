import Foundation
import FunctionsStorage
import Logging
import Synchronization
import Testing

@testable import FunctionsTriggers

/// The timer listener against the real embedded store, with a fixed wall clock and a recorder in place of
/// a worker: past-due detection after downtime, runOnStartup, and the stored schedule status.
@Suite("Timer listener")
struct TimerListenerTests {
  struct Run: Sendable, Equatable {
    var pastDue: Bool
    var previous: ScheduleStatus?
  }

  let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tl-\(UUID().uuidString)")
  let hourly = try! TimerSchedule.parse("0 0 * * * *")
  let utc = TimeZone(identifier: "UTC")!
  /// 2026-11-26 10:30:00 UTC.
  let now = Date(timeIntervalSince1970: 1_795_170_600)

  private func listener(store: SQLiteStore, runOnStartup: Bool = false, useMonitor: Bool = true, runs: EventLog<Run>)
    -> TimerListener
  {
    let fixed = now
    return TimerListener(
      plan: .init(functionName: "tick", schedule: hourly, runOnStartup: runOnStartup, useMonitor: useMonitor, timeZone: utc),
      store: store, owner: "host-a", clock: ContinuousClock(), now: { fixed }, logger: Logger(label: "test"),
      invoke: { pastDue, previous in
        runs.record(Run(pastDue: pastDue, previous: previous))
        return true
      })
  }

  /// Runs the listener until it made `count` runs, then stops it. With 0, the stop is raised before it
  /// starts: it still reads or writes its status and handles start-up (past due, runOnStartup), then returns.
  private func run(_ listener: TimerListener, untilRuns count: Int, runs: EventLog<Run>, store: SQLiteStore) async throws {
    let stop = StopSignal()
    if count == 0 {
      stop.raise()
      await listener.run(stop: stop)
      return
    }
    await withTaskGroup(of: Void.self) { group in
      group.addTask { await listener.run(stop: stop) }
      #expect(await runs.wait { $0.count >= count })
      stop.raise()
    }
  }

  @Test func firstStartWritesTheStatusAndWaits() async throws {
    let store = try SQLiteStore(path: directory.appendingPathComponent("s.sqlite").path)
    defer { store.close(); try? FileManager.default.removeItem(at: directory) }
    let runs = EventLog<Run>()
    try await run(listener(store: store, runs: runs), untilRuns: 0, runs: runs, store: store)
    #expect(runs.events.isEmpty)
    let status = try #require(try await store.scheduleStatus(timer: "Host.Functions.tick"))
    #expect(status.next == Date(timeIntervalSince1970: 1_795_172_400))  // 11:00
    #expect(status.last == Date(timeIntervalSince1970: 0))
  }

  @Test func anOccurrenceMissedWhileDownRunsOnceAtStartAsPastDue() async throws {
    let store = try SQLiteStore(path: directory.appendingPathComponent("s.sqlite").path)
    defer { store.close(); try? FileManager.default.removeItem(at: directory) }
    // Last ran at 08:00, expected 09:00: the host was down at 09:00 and 10:00.
    let before = ScheduleStatus(
      last: Date(timeIntervalSince1970: 1_795_161_600), next: Date(timeIntervalSince1970: 1_795_165_200),
      lastUpdated: Date(timeIntervalSince1970: 1_795_161_600))
    try await store.setScheduleStatus(before, timer: "Host.Functions.tick")
    let runs = EventLog<Run>()
    try await run(listener(store: store, runs: runs), untilRuns: 1, runs: runs, store: store)
    #expect(runs.events == [Run(pastDue: true, previous: before)])
    let after = try #require(try await store.scheduleStatus(timer: "Host.Functions.tick"))
    #expect(after.last == now)
    #expect(after.next == Date(timeIntervalSince1970: 1_795_172_400))
  }

  @Test func runOnStartupRunsOnceNotPastDue() async throws {
    let store = try SQLiteStore(path: directory.appendingPathComponent("s.sqlite").path)
    defer { store.close(); try? FileManager.default.removeItem(at: directory) }
    let runs = EventLog<Run>()
    try await run(listener(store: store, runOnStartup: true, runs: runs), untilRuns: 1, runs: runs, store: store)
    #expect(runs.events.count == 1)
    #expect(runs.events.first?.pastDue == false)
  }

  @Test func withoutMonitorThePayloadHasNoStatus() async throws {
    let store = try SQLiteStore(path: directory.appendingPathComponent("s.sqlite").path)
    defer { store.close(); try? FileManager.default.removeItem(at: directory) }
    let runs = EventLog<Run>()
    try await run(
      listener(store: store, runOnStartup: true, useMonitor: false, runs: runs), untilRuns: 1, runs: runs, store: store)
    #expect(runs.events == [Run(pastDue: false, previous: nil)])
    #expect(try await store.scheduleStatus(timer: "Host.Functions.tick") == nil)
  }
}
