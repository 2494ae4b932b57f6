internal import Synchronization

/// An append-only log of events that tasks can wait on ("the first event from index N that matches"),
/// with a timeout and without fixed sleeps. Closing it wakes every waiter that has no match with `nil`.
final class EventLog<Element: Sendable>: Sendable {
  /// One recorded event and its position.
  struct Entry: Sendable {
    var index: Int
    var element: Element
    var at: ContinuousClock.Instant
  }

  private struct Waiter {
    var id: Int
    var from: Int
    var predicate: @Sendable (Element) -> Bool
    var continuation: CheckedContinuation<Entry?, Never>
  }

  private struct State {
    var entries: [Entry] = []
    var waiters: [Waiter] = []
    var abandoned: Set<Int> = []
    var closed = false
    var nextID = 0
  }

  private let state = Mutex(State())

  /// All events so far.
  var entries: [Entry] { state.withLock { $0.entries } }
  /// Whether ``close()`` was called.
  var isClosed: Bool { state.withLock { $0.closed } }
  /// The number of events so far.
  var count: Int { state.withLock { $0.entries.count } }

  /// Records an event and wakes the waiters it satisfies. Ignored after ``close()``.
  func append(_ element: Element) {
    let fired: [(CheckedContinuation<Entry?, Never>, Entry)] = state.withLock { s in
      guard !s.closed else { return [] }
      let entry = Entry(index: s.entries.count, element: element, at: .now)
      s.entries.append(entry)
      var fired: [(CheckedContinuation<Entry?, Never>, Entry)] = []
      s.waiters.removeAll { w in
        guard w.from <= entry.index, w.predicate(element) else { return false }
        fired.append((w.continuation, entry))
        return true
      }
      return fired
    }
    for (c, e) in fired { c.resume(returning: e) }
  }

  /// Ends the log: waiters without a match get `nil`, later ``append(_:)`` calls are ignored.
  func close() {
    let waiting = state.withLock { s -> [Waiter] in
      s.closed = true
      defer { s.waiters = [] }
      return s.waiters
    }
    for w in waiting { w.continuation.resume(returning: nil) }
  }

  /// The first event at or after `from` matching `predicate`, waiting up to `timeout` for it.
  /// Returns `nil` on timeout, cancellation, or when the log is closed without a match.
  func first(
    from: Int = 0, timeout: Duration, where predicate: @escaping @Sendable (Element) -> Bool = { _ in true }
  ) async -> Entry? {
    let id = state.withLock { s in
      s.nextID += 1
      return s.nextID
    }
    return await withTaskGroup(of: Entry?.self) { group in
      group.addTask {
        await withCheckedContinuation { (c: CheckedContinuation<Entry?, Never>) in
          let immediate: Entry?? = self.state.withLock { s in
            if let e = s.entries.dropFirst(max(from, 0)).first(where: { predicate($0.element) }) { return .some(e) }
            if s.closed || s.abandoned.remove(id) != nil { return .some(nil) }
            s.waiters.append(Waiter(id: id, from: from, predicate: predicate, continuation: c))
            return .none
          }
          if let immediate { c.resume(returning: immediate) }
        }
      }
      group.addTask {
        try? await Task.sleep(for: timeout)
        self.abandon(id)
        return nil
      }
      let result = await group.next() ?? nil
      group.cancelAll()
      self.abandon(id)
      await group.waitForAll()
      _ = self.state.withLock { $0.abandoned.remove(id) }
      return result
    }
  }

  private func abandon(_ id: Int) {
    let waiter = state.withLock { s -> Waiter? in
      if let i = s.waiters.firstIndex(where: { $0.id == id }) { return s.waiters.remove(at: i) }
      s.abandoned.insert(id)
      return nil
    }
    waiter?.continuation.resume(returning: nil)
  }
}
