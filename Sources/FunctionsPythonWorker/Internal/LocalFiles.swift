internal import Foundation

#if canImport(Glibc)
internal import Glibc
#elseif canImport(Musl)
internal import Musl
#elseif canImport(Darwin)
internal import Darwin
#endif

/// Small file-system helpers over POSIX and `FileManager`, with `String` paths.
package enum LocalFiles {
  /// `a/b/c` from `a` and the components.
  package static func join(_ base: String, _ components: String...) -> String {
    var path = base
    for component in components where !component.isEmpty {
      path += path.hasSuffix("/") ? component : "/" + component
    }
    return path
  }

  /// The parent directory of `path`.
  package static func parent(of path: String) -> String {
    (path as NSString).deletingLastPathComponent
  }

  /// Whether anything exists at `path` (following symbolic links).
  package static func exists(_ path: String) -> Bool {
    access(path, F_OK) == 0
  }

  /// Whether `path` is a regular file (following links) that this process may execute.
  package static func isExecutableFile(_ path: String) -> Bool {
    var info = stat()
    guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return false }
    return access(path, X_OK) == 0
  }

  /// The size of the file at `path`, or `nil` if it is missing.
  package static func size(_ path: String) -> Int? {
    var info = stat()
    guard stat(path, &info) == 0 else { return nil }
    return Int(info.st_size)
  }

  /// Device, inode, size and modification time of `path`, as one comparable string.
  package static func statSignature(_ path: String) -> String? {
    var info = stat()
    guard stat(path, &info) == 0 else { return nil }
    #if canImport(Darwin)
    let modified = "\(info.st_mtimespec.tv_sec).\(info.st_mtimespec.tv_nsec)"
    #else
    let modified = "\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
    #endif
    return "\(info.st_dev):\(info.st_ino):\(info.st_size):\(modified)"
  }

  /// The canonical absolute path of `path` with every symbolic link resolved.
  package static func realPath(_ path: String) -> String? {
    guard let resolved = realpath(path, nil) else { return nil }
    defer { free(resolved) }
    return String(cString: resolved)
  }

  /// `path` made absolute against `directory` when it is relative.
  package static func absolute(_ path: String, relativeTo directory: String) -> String {
    path.hasPrefix("/") ? path : join(directory, path)
  }

  /// The contents of the file at `path`, or `nil` if it cannot be read.
  package static func read(_ path: String) -> [UInt8]? {
    FileManager.default.contents(atPath: path).map { [UInt8]($0) }
  }

  /// Writes `bytes` to `path`, replacing it, with mode `mode` (owner-only 0600 by default) whatever
  /// the umask. A symbolic link at `path` is not followed.
  package static func write(_ bytes: [UInt8], to path: String, mode: UInt32 = 0o600) throws {
    let mode = mode_t(mode)
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode)
    guard fd >= 0 else { throw posixError(errno, path) }
    defer { close(fd) }
    guard fchmod(fd, mode) == 0 else { throw posixError(errno, path) }
    var written = 0
    while written < bytes.count {
      let n = bytes.withUnsafeBytes { buffer in
        systemWrite(fd, buffer.baseAddress! + written, buffer.count - written)
      }
      if n < 0 {
        if errno == EINTR { continue }
        throw posixError(errno, path)
      }
      written += n
    }
  }

  private static func systemWrite(_ fd: Int32, _ pointer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.write(fd, pointer, count)
    #elseif canImport(Musl)
    Musl.write(fd, pointer, count)
    #else
    Darwin.write(fd, pointer, count)
    #endif
  }

  private static func posixError(_ code: Int32, _ path: String) -> any Error {
    NSError(
      domain: NSPOSIXErrorDomain, code: Int(code),
      userInfo: [NSLocalizedDescriptionKey: "\(path): \(String(cString: strerror(code)))"])
  }

  /// Writes `bytes` beside `path` and renames the result over it, so readers see all or nothing.
  package static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
    let temporary = path + ".tmp-" + uniqueSuffix()
    do {
      try write(bytes, to: temporary)
      try rename(temporary, to: path)
    } catch {
      remove(temporary)
      throw error
    }
  }

  /// Creates `path` and any missing parents, each with owner-only mode 0700 whatever the umask
  /// (folders that exist already are left as they are).
  package static func createDirectory(_ path: String) throws {
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
      guard isDirectory.boolValue else { throw posixError(ENOTDIR, path) }
      return
    }
    let parent = parent(of: path)
    if !parent.isEmpty && parent != path { try createDirectory(parent) }
    if mkdir(path, 0o700) != 0 {
      if errno == EEXIST { return }  // another process made it first
      throw posixError(errno, path)
    }
    guard chmod(path, 0o700) == 0 else { throw posixError(errno, path) }
  }

  /// Whether `path` exists and neither its group nor others have any access to it.
  package static func isOwnerOnly(_ path: String) -> Bool {
    var info = stat()
    return lstat(path, &info) == 0 && (info.st_mode & 0o077) == 0
  }

  /// Removes `path` recursively; missing paths are fine and failures are ignored.
  package static func remove(_ path: String) {
    try? FileManager.default.removeItem(atPath: path)
  }

  /// Renames `source` to `destination` atomically (POSIX `rename`).
  ///
  /// - Throws: ``RenameError`` carrying `errno`; a non-empty destination directory gives
  ///   `ENOTEMPTY` or `EEXIST`.
  package static func rename(_ source: String, to destination: String) throws(RenameError) {
    guard posixRename(source, destination) == 0 else {
      throw RenameError(source: source, destination: destination, errno: errno)
    }
  }

  private static func posixRename(_ source: String, _ destination: String) -> Int32 {
    #if canImport(Glibc)
    Glibc.rename(source, destination)
    #elseif canImport(Musl)
    Musl.rename(source, destination)
    #else
    Darwin.rename(source, destination)
    #endif
  }

  /// A failed `rename(2)`.
  package struct RenameError: Error, CustomStringConvertible {
    package var source: String
    package var destination: String
    package var errno: Int32

    /// Whether the destination already existed (another process won a race).
    package var destinationExists: Bool {
      errno == EEXIST || errno == ENOTEMPTY
    }

    package var description: String {
      "cannot rename \(source) to \(destination): \(String(cString: strerror(errno)))"
    }
  }

  /// A suffix unlikely to collide between processes and calls: pid plus 64 random bits.
  package static func uniqueSuffix() -> String {
    "\(getpid())-\(String(UInt64.random(in: .min ... .max), radix: 16))"
  }
}
