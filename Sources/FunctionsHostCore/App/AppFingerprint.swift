internal import Foundation

/// Size and modification time of every file of an app that matters to its workers.
struct AppFingerprint: Equatable, Sendable {
  private var files: [String: (Int64, Double)]

  static func == (a: AppFingerprint, b: AppFingerprint) -> Bool {
    a.files.count == b.files.count && a.files.allSatisfy { key, value in b.files[key].map { $0 == value } ?? false }
  }

  private static let skippedFolders: Set<String> = [
    ".venv", "venv", "__pycache__", ".python_packages", ".git", "node_modules", ".functions-host", ".pytest_cache",
    ".mypy_cache", ".vscode", ".idea",
  ]
  private static let watchedExtensions: Set<String> = ["py", "json", "txt", "cfg", "ini", "toml", "yaml", "yml"]

  /// Reads the app's files now.
  static func take(scriptRoot: String) -> AppFingerprint {
    var files: [String: (Int64, Double)] = [:]
    let fm = FileManager.default
    guard
      let walker = fm.enumerator(
        at: URL(fileURLWithPath: scriptRoot), includingPropertiesForKeys: [.fileSizeKey, .contentModificationDateKey, .isDirectoryKey])
    else { return AppFingerprint(files: [:]) }
    for case let url as URL in walker {
      let name = url.lastPathComponent
      let values = try? url.resourceValues(forKeys: [.fileSizeKey, .contentModificationDateKey, .isDirectoryKey])
      if values?.isDirectory == true {
        if skippedFolders.contains(name) || name.hasPrefix(".") { walker.skipDescendants() }
        continue
      }
      guard watchedExtensions.contains(url.pathExtension.lowercased()) else { continue }
      files[url.path] = (Int64(values?.fileSize ?? -1), values?.contentModificationDate?.timeIntervalSince1970 ?? 0)
    }
    return AppFingerprint(files: files)
  }

  /// Files added, removed or changed since `other`.
  func changedFiles(since other: AppFingerprint) -> [String] {
    var changed: [String] = []
    for (path, value) in files where other.files[path].map({ $0 != value }) ?? true { changed.append(path) }
    for path in other.files.keys where files[path] == nil { changed.append(path) }
    return changed.sorted()
  }
}
