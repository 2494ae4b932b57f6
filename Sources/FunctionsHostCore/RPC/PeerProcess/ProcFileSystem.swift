internal import Foundation

/// Reads the `/proc` files ``WorkerPeerVerifier`` needs, under a root that tests can point at a folder
/// of their own. A thin reader: every answer is nil or empty when a file cannot be read; what it means is
/// decided by the verifier.
package struct ProcFileSystem: Sendable {
  /// The mount point, `/proc` normally.
  package var root: String

  /// A reader of `root`.
  package init(root: String = "/proc") {
    self.root = root
  }

  /// The text of `root/relative` (read to its end: `/proc` files report a size of 0).
  package func text(_ relative: String) -> String? {
    guard let handle = FileHandle(forReadingAtPath: "\(root)/\(relative)") else { return nil }
    defer { try? handle.close() }
    guard let data = try? handle.readToEnd() else { return nil }
    return String(decoding: data, as: UTF8.self)
  }

  /// The process ids listed in `root`.
  package func processIDs() -> [Int32] {
    ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).compactMap { Int32($0) }
  }

  /// The targets of process `pid`'s descriptor links (`socket:[…]`, paths, …); nil when its descriptor
  /// folder cannot be listed (the process is gone, or belongs to someone else).
  package func descriptorLinks(of pid: Int32) -> [String]? {
    let folder = "\(root)/\(pid)/fd"
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return nil }
    return names.compactMap { try? FileManager.default.destinationOfSymbolicLink(atPath: "\(folder)/\($0)") }
  }

  /// Whether process `pid` has an entry (it exists, whoever owns it).
  package func hasProcess(_ pid: Int32) -> Bool {
    FileManager.default.fileExists(atPath: "\(root)/\(pid)/stat")
  }
}
