internal import Synchronization

#if canImport(Glibc)
  internal import Glibc
#elseif canImport(Darwin)
  internal import Darwin
#endif

/// File descriptors kept open for worker (re)starts.
///
/// Starting a process through swift-subprocess needs several descriptors at once (pipes for its output,
/// a process descriptor); when the table runs out halfway, swift-subprocess stops the host with a
/// fatal error on a half-created pipe. The reserve holds up to `count` descriptors on `/dev/null` while
/// nothing starts, and hands them back just before a start: ``prepareForSpawn()`` succeeds only when
/// that many descriptors are free, so a start either has what it needs or is not tried at all (the
/// supervisor then retries it with backoff). ``replenish()`` takes them again once the process runs, but
/// never the last `headroom` free descriptors: the new worker's connection and the runtime need some
/// too (libdispatch stops the process when it cannot open a file under `/proc`).
package final class DescriptorReserve: Sendable {
  /// The reserve shared by every runner of this process (made on first use).
  package static let process = DescriptorReserve()

  /// How many descriptors a start is given.
  package let count: Int
  /// How many descriptors ``replenish()`` leaves free.
  package let headroom: Int
  private let held: Mutex<[Int32]>
  private let opener: @Sendable () -> Int32

  /// A reserve of `count` descriptors, taken at once (as many as are free, less `headroom`).
  /// `opener` opens one descriptor or returns -1 with `errno` set (tests inject `EMFILE`).
  package init(count: Int = 16, headroom: Int = 8, opener: (@Sendable () -> Int32)? = nil) {
    self.count = count
    self.headroom = headroom
    self.opener = opener ?? { open("/dev/null", O_RDONLY | O_CLOEXEC) }
    self.held = Mutex([])
    replenish()
  }

  deinit {
    for fd in held.withLock({ $0 }) { close(fd) }
  }

  /// Descriptors held now.
  package var heldCount: Int { held.withLock { $0.count } }

  /// Makes sure `count` descriptors are free for a start and frees the reserve. Throws (with the
  /// `errno` text, e.g. "Too many open files") when they are not; nothing is held then either.
  package func prepareForSpawn() throws(FunctionsHostError) {
    let failure: Int32? = held.withLock { fds in
      var error: Int32? = nil
      while fds.count < count {
        let fd = opener()
        if fd < 0 {
          error = errno
          break
        }
        fds.append(fd)
      }
      for fd in fds { close(fd) }
      fds = []
      return error
    }
    if let failure {
      throw FunctionsHostError(
        code: .workerUnavailable,
        message:
          "not enough free file descriptors to start a worker (\(count) needed): \(String(cString: strerror(failure))) "
          + "(errno \(failure)); the start is retried with backoff")
    }
  }

  /// Takes the reserve again: up to `count` descriptors, leaving `headroom` free.
  package func replenish() {
    held.withLock { fds in
      while fds.count < count {
        let fd = opener()
        if fd < 0 { break }
        fds.append(fd)
      }
      var probe: [Int32] = []
      while probe.count < headroom {
        let fd = opener()
        if fd < 0 { break }
        probe.append(fd)
      }
      for fd in probe { close(fd) }
      for _ in 0..<min(headroom - probe.count, fds.count) { close(fds.removeLast()) }
    }
  }
}
