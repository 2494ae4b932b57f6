internal import Synchronization

/// The last few lines a process printed, for exit and failure messages.
package final class LineTail: Sendable {
  private let storage = Mutex<[String]>([])
  private let limit: Int

  /// Keeps the last `limit` lines.
  package init(limit: Int = 5) { self.limit = limit }

  /// Adds a line, dropping the oldest beyond the limit.
  package func append(_ line: String) {
    storage.withLock { tail in
      tail.append(line)
      if tail.count > limit { tail.removeFirst(tail.count - limit) }
    }
  }

  /// The kept lines, oldest first.
  package var lines: [String] { storage.withLock { $0 } }
}
