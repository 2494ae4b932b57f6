internal import Synchronization

/// The last lines a worker printed, for failure messages.
final class LineTail: Sendable {
  private let lines = Mutex<[String]>([])
  private let limit: Int

  init(limit: Int = 40) { self.limit = limit }

  func append(_ line: String) {
    lines.withLock { l in
      l.append(line)
      if l.count > limit { l.removeFirst(l.count - limit) }
    }
  }

  var snapshot: [String] { lines.withLock { $0 } }
}
