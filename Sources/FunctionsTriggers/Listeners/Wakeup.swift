internal import Synchronization

/// A level-triggered wake-up for one waiting loop: ``signal()`` from anywhere, ``wait(upTo:clock:)``
/// in the loop. A signal that arrives while nobody waits is kept, so none is lost.
final class Wakeup: Sendable {
  private struct State {
    var pending = false
    var waiter: CheckedContinuation<Void, Never>?
  }
  private let state = Mutex(State())

  /// Wakes the waiter, or the next ``wait()`` if nobody waits now.
  func signal() {
    let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
      if let w = s.waiter {
        s.waiter = nil
        return w
      }
      s.pending = true
      return nil
    }
    waiter?.resume()
  }

  /// Returns at the next signal (at once if one is pending) or when the task is cancelled.
  func wait() async {
    await withTaskCancellationHandler {
      await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
        let now = state.withLock { s -> Bool in
          if s.pending {
            s.pending = false
            return true
          }
          s.waiter = c
          return false
        }
        if now { c.resume() }
      }
    } onCancel: {
      signal()
    }
  }

  /// Returns at the next signal or after `delay` on `clock`, whichever comes first.
  func wait(upTo delay: Duration, clock: any Clock<Duration>) async {
    await withTaskGroup(of: Void.self) { group in
      group.addTask { await self.wait() }
      group.addTask { try? await clock.sleep(for: delay) }
      _ = await group.next()
      group.cancelAll()
    }
    // A signal consumed by the cancelled wait (or left by its cancellation) only causes one early poll.
  }
}
