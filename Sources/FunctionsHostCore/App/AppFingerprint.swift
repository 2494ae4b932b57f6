/// Size and modification time of every file of an app that matters to its workers.
struct AppFingerprint: Equatable, Sendable {
  fileprivate var files: [String: FileStamp]

  /// What reading the app's folder gave.
  enum Reading: Equatable, Sendable {
    /// Every file was read.
    case read(AppFingerprint)
    /// A folder or file could not be read for a reason other than "it does not exist" (EMFILE,
    /// EACCES, …): the app's state is unknown, not changed.
    case unreadable(path: String, errno: Int32)
  }

  private static let skippedFolders: Set<String> = [
    ".venv", "venv", "__pycache__", ".python_packages", ".git", "node_modules", ".functions-host", ".pytest_cache",
    ".mypy_cache", ".vscode", ".idea",
  ]
  private static let watchedExtensions: Set<String> = ["py", "json", "txt", "cfg", "ini", "toml", "yaml", "yml"]

  /// A fingerprint of exactly these files (tests).
  init(files: [String: FileStamp]) { self.files = files }

  /// Reads the app's files now. A file or folder that vanishes while it is read counts as removed; any
  /// other error makes the whole reading ``Reading/unreadable(path:errno:)``.
  static func take(scriptRoot: String, fileSystem: AppFileSystem = .posix) -> Reading {
    var files: [String: FileStamp] = [:]
    var folders = [scriptRoot]
    while let folder = folders.popLast() {
      let names: [String]
      switch fileSystem.list(folder) {
      case .success(let list): names = list
      case .failure(let error) where error.errno == AppFileSystem.noSuchFile: continue
      case .failure(let error): return .unreadable(path: folder, errno: error.errno)
      }
      for name in names.sorted() where name != "." && name != ".." {
        let path = folder.hasSuffix("/") ? folder + name : folder + "/" + name
        let entry: AppFileSystem.Entry
        switch fileSystem.stat(path) {
        case .success(let e): entry = e
        case .failure(let error) where error.errno == AppFileSystem.noSuchFile: continue
        case .failure(let error): return .unreadable(path: path, errno: error.errno)
        }
        if entry.isDirectory {
          if !entry.isSymbolicLink && !skippedFolders.contains(name) && !name.hasPrefix(".") { folders.append(path) }
          continue
        }
        let ext = name.split(separator: ".", omittingEmptySubsequences: false).count > 1
          ? String(name.split(separator: ".").last ?? "").lowercased() : ""
        guard watchedExtensions.contains(ext) else { continue }
        files[path] = FileStamp(size: entry.size, modified: entry.modified)
      }
    }
    return .read(AppFingerprint(files: files))
  }

  /// Files added, removed or changed since `other`.
  func changedFiles(since other: AppFingerprint) -> [String] {
    var changed: [String] = []
    for (path, value) in files where other.files[path].map({ $0 != value }) ?? true { changed.append(path) }
    for path in other.files.keys where files[path] == nil { changed.append(path) }
    return changed.sorted()
  }
}

/// Size and modification time of one file.
struct FileStamp: Hashable, Sendable {
  var size: Int64
  var modified: Double
}
