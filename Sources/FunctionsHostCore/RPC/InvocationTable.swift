/// The invocations a worker owes an answer for, with their deadlines: a pure value kept under the
/// channel's lock. Times are ``TimerClock`` readings.
struct InvocationTable<Token> {
  /// One invocation in flight.
  struct Entry {
    var functionName: String
    var token: Token
    /// When its functionTimeout expires.
    var deadline: Duration?
    /// Set once the deadline passed: the caller got a timeout; the worker still owes an answer.
    var timedOutAt: Duration? = nil
  }

  /// What ``expire(now:grace:)`` found.
  struct Expiry {
    /// Invocations that just passed their deadline (their callers are to be failed with `timeout`).
    var expired: [(id: String, entry: Entry)] = []
    /// Timed-out invocations the worker did not stop within the grace period.
    var unresponsive: [String] = []
    /// When to look again, if a timer must be armed for it.
    var rearm: Duration? = nil
  }

  private(set) var entries: [String: Entry] = [:]
  /// The time a timer is armed for, if any.
  private var armed: Duration? = nil

  var count: Int { entries.count }
  var isEmpty: Bool { entries.isEmpty }

  func functionName(of id: String) -> String? { entries[id]?.functionName }

  /// Whether `id` is in flight and passed its deadline.
  func hasTimedOut(_ id: String) -> Bool { entries[id]?.timedOutAt != nil }

  /// Adds an invocation; returns its deadline when a timer must be armed for it.
  mutating func add(_ id: String, _ entry: Entry) -> Duration? {
    entries[id] = entry
    guard let deadline = entry.deadline else { return nil }
    if let armed, armed <= deadline { return nil }
    armed = deadline
    return deadline
  }

  /// Removes an invocation.
  mutating func remove(_ id: String) -> Entry? { entries.removeValue(forKey: id) }

  /// Removes everything.
  mutating func removeAll() -> [String: Entry] {
    defer {
      entries = [:]
      armed = nil
    }
    return entries
  }

  /// Marks invocations past their deadline as timed out, finds those the worker did not stop within
  /// `grace`, and says when to look again.
  mutating func expire(now: Duration, grace: Duration) -> Expiry {
    var expiry = Expiry()
    var next: Duration? = nil
    for id in entries.keys.sorted() {
      guard let entry = entries[id] else { continue }
      if let timedOut = entry.timedOutAt {
        if now - timedOut >= grace {
          expiry.unresponsive.append(id)
        } else {
          next = min(next ?? timedOut + grace, timedOut + grace)
        }
      } else if let deadline = entry.deadline {
        if deadline <= now {
          entries[id]?.timedOutAt = now
          expiry.expired.append((id, entry))
          next = min(next ?? now + grace, now + grace)
        } else {
          next = min(next ?? deadline, deadline)
        }
      }
    }
    let pending = armed.flatMap { $0 > now ? $0 : nil }
    if let next, pending.map({ next < $0 }) ?? true {
      armed = next
      expiry.rearm = next
    } else {
      armed = pending
    }
    return expiry
  }
}
