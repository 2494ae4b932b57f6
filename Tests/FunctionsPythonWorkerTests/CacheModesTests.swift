import Foundation
import FunctionsPythonWorker
import Synchronization
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// The cached worker folder is the code every worker runs: other local users must not be able to
/// change it, whatever the umask the host was started with.
@Suite(.serialized) struct CacheModesTests {
  /// Runs `body` with the process umask set to `mask` (restored after; kept short, as the umask is
  /// process-wide).
  static func withUmask<T>(_ mask: mode_t, _ body: () throws -> T) rethrows -> T {
    let old = umask(mask)
    defer { umask(old) }
    return try body()
  }

  static func mode(_ path: String) -> mode_t {
    var info = stat()
    guard lstat(path, &info) == 0 else { return 0o7777 }
    return info.st_mode & 0o7777
  }

  /// Every folder and file under `root` with its mode.
  static func modes(under root: String) -> [(path: String, mode: mode_t, isDirectory: Bool)] {
    var out: [(String, mode_t, Bool)] = [(root, mode(root), true)]
    for relative in (FileManager.default.subpaths(atPath: root) ?? []).sorted() {
      let path = root + "/" + relative
      var isDirectory: ObjCBool = false
      _ = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
      out.append((path, mode(path), isDirectory.boolValue))
    }
    return out
  }

  @Test func underUmask000TheWorkerFolderIsOwnerOnly() async throws {
    try await TestFiles.withTemporaryDirectory { root in
      let cache = root + "/fresh/cache"
      let location = try Self.withUmask(0) { try BundledPythonWorker.materialize(into: cache) }
      #expect(Self.mode(root + "/fresh") == 0o700)
      #expect(Self.mode(cache) == 0o700)
      let entries = Self.modes(under: location.directory)
      #expect(entries.count > BundledPythonWorker.files.count)
      for entry in entries {
        #expect(entry.mode == (entry.isDirectory ? 0o700 : 0o600), "\(entry.path): \(String(entry.mode, radix: 8))")
      }
    }
  }

  @Test func aCopyOthersCouldChangeIsReplaced() async throws {
    try await TestFiles.withTemporaryDirectory { cache in
      let location = try BundledPythonWorker.materialize(into: cache)
      chmod(location.directory, 0o777)
      chmod(location.workerScript, 0o666)
      let again = try BundledPythonWorker.materialize(into: cache)
      #expect(again == location)
      #expect(Self.mode(again.directory) == 0o700)
      #expect(Self.mode(again.workerScript) == 0o600)
    }
  }
}
