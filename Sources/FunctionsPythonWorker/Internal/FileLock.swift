package import Logging

#if canImport(Glibc)
internal import Glibc
#elseif canImport(Musl)
internal import Musl
#elseif canImport(Darwin)
internal import Darwin
#endif

/// An exclusive `flock(2)` on a lock file, shared between processes.
///
/// The lock is polled without blocking a thread, so waiting for another process's long `pip
/// install` does not starve the cooperative pool. The kernel drops the lock if the holder dies.
package enum FileLock {
  /// Runs `body` while holding the exclusive lock on `path` (created if missing).
  package static func withExclusiveLock<Result>(
    at path: String,
    logger: Logger,
    _ body: () async throws -> Result
  ) async throws -> Result {
    let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else {
      let reason = String(cString: strerror(errno))
      throw PythonEnvironmentError(
        code: .cacheUnwritable,
        message: "cannot open the lock file \(path): \(reason)",
        fix: "make the cache directory writable, or point XDG_CACHE_HOME at a writable directory"
      )
    }
    defer { close(descriptor) }

    var announced = false
    while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
      let code = errno
      guard code == EWOULDBLOCK || code == EINTR else {
        throw PythonEnvironmentError(
          code: .cacheUnwritable,
          message: "cannot lock \(path): \(String(cString: strerror(code)))"
        )
      }
      if !announced {
        logger.info("waiting for another process to finish preparing Python (lock \(path))")
        announced = true
      }
      try await Task.sleep(for: .milliseconds(200))
    }
    defer { flock(descriptor, LOCK_UN) }
    return try await body()
  }
}
