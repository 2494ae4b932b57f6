#if canImport(Glibc)
  internal import Glibc
#elseif canImport(Darwin)
  internal import Darwin
#endif

/// The two file-system calls the app watcher makes, as values so tests can inject failures (EMFILE).
struct AppFileSystem: Sendable {
  /// A failed call's `errno`.
  struct Failure: Error, Equatable, Sendable {
    var errno: Int32
  }

  /// What `stat` says about one path.
  struct Entry: Equatable, Sendable {
    var isDirectory: Bool
    var isSymbolicLink: Bool
    var size: Int64
    var modified: Double
  }

  /// The names in a folder.
  var list: @Sendable (String) -> Result<[String], Failure>
  /// One path's kind, size and modification time (a symbolic link is followed; its own kind is kept).
  var stat: @Sendable (String) -> Result<Entry, Failure>

  /// `ENOENT`: the path does not exist (any more).
  static var noSuchFile: Int32 { ENOENT }

  /// The real file system.
  static let posix = AppFileSystem(
    list: { path in
      guard let dir = opendir(path) else { return .failure(Failure(errno: errno)) }
      defer { closedir(dir) }
      var names: [String] = []
      while let entry = readdir(dir) {
        let name = withUnsafePointer(to: &entry.pointee.d_name) {
          String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self))
        }
        names.append(name)
      }
      return .success(names)
    },
    stat: { path in statEntry(path) })
}

#if canImport(Glibc)
  private typealias StatInfo = Glibc.stat
#else
  private typealias StatInfo = Darwin.stat
#endif

private func statEntry(_ path: String) -> Result<AppFileSystem.Entry, AppFileSystem.Failure> {
  var link = StatInfo()
  guard lstat(path, &link) == 0 else { return .failure(.init(errno: errno)) }
  let isLink = (link.st_mode & S_IFMT) == S_IFLNK
  var info = link
  if isLink, stat(path, &info) != 0 {
    return .failure(.init(errno: errno))  // a dangling link (ENOENT) is not a file of the app
  }
  #if canImport(Glibc)
    let modified = Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9
  #else
    let modified = Double(info.st_mtimespec.tv_sec) + Double(info.st_mtimespec.tv_nsec) / 1e9
  #endif
  return .success(
    AppFileSystem.Entry(
      isDirectory: (info.st_mode & S_IFMT) == S_IFDIR, isSymbolicLink: isLink, size: Int64(info.st_size),
      modified: modified))
}
