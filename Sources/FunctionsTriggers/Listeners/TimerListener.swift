package import Foundation
internal import FunctionsStorage
internal import Logging


/// Runs one timer-triggered function on its schedule as the stock timer listener does
/// (storage-bindings.md §4.3): schedule status kept in the store when `useMonitor` is on, one
/// immediate run with `IsPastDue` after downtime that missed an occurrence, `runOnStartup`, and
/// each occurrence run once across every host sharing the store (a lease per occurrence, and the
/// stored `Last` checked before running).
///
/// The lease works as the stock host's singleton lock: the host that runs an occurrence keeps it
/// for ``leaseDuration`` and renews it at each occurrence, so a frequent timer stays on one host;
/// when that host dies, another takes the timer over within ``leaseDuration``. A host that stops
/// gives the lease up at once.
package struct TimerListener: Sendable {
  /// What to run and how.
  package struct Plan: Sendable {
    /// The function name.
    package var functionName: String
    /// The schedule.
    package var schedule: TimerSchedule
    /// `runOnStartup`.
    package var runOnStartup: Bool
    /// `useMonitor` after the stock rule (off for schedules that fire more than once a minute).
    package var useMonitor: Bool
    /// The time zone occurrences are computed in (UTC unless WEBSITE_TIME_ZONE says otherwise).
    package var timeZone: TimeZone
  }

  /// Runs the function once; `isPastDue` and the previous status go into its payload.
  typealias Invoke = @Sendable (_ isPastDue: Bool, _ previous: ScheduleStatus?) async -> Bool

  let plan: Plan
  let store: any FunctionsStore
  let owner: String
  let clock: any Clock<Duration>
  let now: @Sendable () -> Date
  let logger: Logger
  let invoke: Invoke

  /// The stock timer name (`Host.Functions.<name>`), the key of its status and lease.
  var timerName: String { "Host.Functions.\(plan.functionName)" }

  /// How long a host keeps a timer after running an occurrence (the stock singleton lock period).
  static let leaseDuration = Duration.seconds(15)

  private var leaseName: String { "timer/\(timerName)" }

  /// Runs until `stop` is raised or the task is cancelled.
  func run(stop: StopSignal) async {
    let wake = Wakeup()
    let registration = stop.register(wake)
    defer { stop.unregister(registration) }
    await runOccurrences(wake: wake, stop: stop)
    // Hand the timer over now rather than when the lease runs out.
    do { try await store.releaseLease(leaseName, owner: owner) } catch is CancellationError {} catch {
      logger.warning("timer \(plan.functionName): cannot give its lease up: \(error); another host takes it over when it expires")
    }
  }

  private func runOccurrences(wake: Wakeup, stop: StopSignal) async {
    var status: ScheduleStatus? = nil
    if plan.useMonitor {
      status = await startingStatus()
    }
    if let current = status, now() > current.next {
      await occurrence(at: now(), pastDue: true, status: &status)
    } else if plan.runOnStartup {
      await occurrence(at: now(), pastDue: false, status: &status)
    }
    var anchor = now()
    while !Task.isCancelled && !stop.isRaised {
      guard let next = plan.schedule.next(after: anchor, in: plan.timeZone) else {
        logger.warning("timer \(plan.functionName): the schedule has no further occurrence")
        return
      }
      let delay = next.timeIntervalSince(now())
      if delay > 0 {
        await wake.wait(upTo: .milliseconds(Int64((delay * 1000).rounded(.up))), clock: clock)
        if Task.isCancelled || stop.isRaised { return }
        if now() < next { continue }  // woken early (a stop that was not raised, clock skew): wait again
      }
      await occurrence(at: next, pastDue: false, status: &status)
      anchor = next
    }
  }

  /// The stored status, written anew when missing or when the schedule changed (so a changed
  /// schedule is not taken for downtime).
  private func startingStatus() async -> ScheduleStatus? {
    let current = now()
    do {
      if let stored = try await store.scheduleStatus(timer: timerName) {
        let from = stored.last > Date(timeIntervalSince1970: 0) ? stored.last : stored.lastUpdated
        let expected = plan.schedule.next(after: from, in: plan.timeZone)
        if let expected, expected != stored.next {
          let rewritten = ScheduleStatus(
            last: stored.last, next: plan.schedule.next(after: current, in: plan.timeZone) ?? expected,
            lastUpdated: current)
          try await store.setScheduleStatus(rewritten, timer: timerName)
          return rewritten
        }
        return stored
      }
      let fresh = ScheduleStatus(
        last: Date(timeIntervalSince1970: 0),
        next: plan.schedule.next(after: current, in: plan.timeZone) ?? .distantFuture, lastUpdated: current)
      try await store.setScheduleStatus(fresh, timer: timerName)
      return fresh
    } catch {
      logger.error("timer \(plan.functionName): cannot read or write its schedule status: \(error)")
      return nil
    }
  }

  /// Runs one occurrence unless another host holds this timer's lease or already ran it.
  private func occurrence(at planned: Date, pastDue: Bool, status: inout ScheduleStatus?) async {
    do {
      guard try await store.acquireLease(leaseName, owner: owner, duration: Self.leaseDuration) else {
        logger.debug("timer \(plan.functionName): another host holds its lease; this occurrence is theirs")
        return
      }
      if plan.useMonitor, let stored = try await store.scheduleStatus(timer: timerName), stored.last >= planned,
        !pastDue
      {
        status = stored
        return  // another host ran this occurrence already
      }
    } catch {
      logger.error("timer \(plan.functionName): cannot take its lease: \(error); skipping this occurrence")
      return
    }
    let previous = plan.useMonitor ? status : nil
    let ran = max(now(), planned)
    let succeeded = await withTaskGroup(of: Bool?.self) { group in
      group.addTask { await invoke(pastDue, previous) }
      group.addTask { await renewLease(); return nil }  // only ends when cancelled
      var outcome = false
      while let next = await group.next() {
        if let next { outcome = next; group.cancelAll() }
      }
      return outcome
    }
    if !succeeded {
      logger.warning("timer \(plan.functionName): the run failed; timers are not retried (as in the stock host)")
    }
    guard plan.useMonitor else { return }
    let updated = ScheduleStatus(
      last: ran, next: plan.schedule.next(after: ran, in: plan.timeZone) ?? .distantFuture, lastUpdated: now())
    status = updated
    do { try await store.setScheduleStatus(updated, timer: timerName) } catch {
      logger.error("timer \(plan.functionName): cannot write its schedule status: \(error)")
    }
  }

  /// Keeps the timer's lease while a run lasts (renewed at half its length), so a run longer than the
  /// lease does not let another host start the next occurrence beside it. Ends when cancelled.
  private func renewLease() async {
    while true {
      do { try await clock.sleep(for: Self.leaseDuration / 2) } catch { return }
      do {
        if try await !store.acquireLease(leaseName, owner: owner, duration: Self.leaseDuration) {
          logger.warning("timer \(plan.functionName): another host took its lease during a run")
        }
      } catch is CancellationError {
        return
      } catch {
        logger.warning("timer \(plan.functionName): cannot renew its lease: \(error)")
      }
    }
  }
}
