import Foundation
import Synchronization
import Testing

@testable import FunctionsHostCore

#if canImport(Glibc)
  import Glibc
#endif

/// The hot-reload watcher: a failed read of the app folder (EMFILE when the descriptor table is full)
/// is "unknown", never "every file removed" or "host.json missing".
@Suite struct AppChangeDetectorTests {
  /// An app of two files on a file system whose calls fail with `failing` while it is set.
  final class FakeFolder: Sendable {
    let failing = Mutex<Int32?>(nil)
    let modified = Mutex<Double>(1)

    var fileSystem: AppFileSystem {
      AppFileSystem(
        list: { path in
          if let e = self.failing.withLock({ $0 }) { return .failure(.init(errno: e)) }
          return path == "/app" ? .success([".", "..", "host.json", "function_app.py"]) : .success([])
        },
        stat: { _ in
          if let e = self.failing.withLock({ $0 }) { return .failure(.init(errno: e)) }
          return .success(.init(isDirectory: false, isSymbolicLink: false, size: 10, modified: self.modified.withLock { $0 }))
        })
    }
    func read() -> AppFingerprint.Reading { AppFingerprint.take(scriptRoot: "/app", fileSystem: fileSystem) }
  }

  @Test func emfileIsUnknownNotAChange() {
    let folder = FakeFolder()
    var detector = AppChangeDetector(initial: folder.read())
    #expect(detector.observe(folder.read()) == .none)

    folder.failing.withLock { $0 = EMFILE }
    let reading = folder.read()
    #expect(reading == .unreadable(path: "/app", errno: EMFILE))
    guard case .unreadable(let message) = detector.observe(reading) else {
      Issue.record("an EMFILE reading must be reported as unreadable")
      return
    }
    #expect(message.contains("Too many open files"), "\(message)")
    // Reported once, and never a reload, however long it lasts.
    for _ in 0..<5 { #expect(detector.observe(folder.read()) == .none) }

    folder.failing.withLock { $0 = nil }
    #expect(detector.observe(folder.read()) == .readableAgain)
    #expect(detector.observe(folder.read()) == .none, "the files did not change: no reload")
  }

  @Test func emfileOnOneFileIsUnknownToo() {
    let folder = FakeFolder()
    let fs = AppFileSystem(list: folder.fileSystem.list, stat: { _ in .failure(.init(errno: EMFILE)) })
    #expect(AppFingerprint.take(scriptRoot: "/app", fileSystem: fs) == .unreadable(path: "/app/function_app.py", errno: EMFILE))
  }

  @Test func aRealChangeStillReloadsAfterOneSettlingRead() {
    let folder = FakeFolder()
    var detector = AppChangeDetector(initial: folder.read())
    folder.modified.withLock { $0 = 2 }
    #expect(detector.observe(folder.read()) == .none)
    #expect(detector.observe(folder.read()) == .reload(changed: ["/app/function_app.py", "/app/host.json"]))
    #expect(detector.observe(folder.read()) == .none)
  }

  @Test func aFileThatVanishesIsRemovedNotUnknown() {
    let fs = AppFileSystem(
      list: { _ in .success(["host.json", "gone.py"]) },
      stat: { path in
        path.hasSuffix("gone.py")
          ? .failure(.init(errno: ENOENT)) : .success(.init(isDirectory: false, isSymbolicLink: false, size: 1, modified: 1))
      })
    #expect(AppFingerprint.take(scriptRoot: "/app", fileSystem: fs) == .read(AppFingerprint(files: ["/app/host.json": FileStamp(size: 1, modified: 1)])))
  }

  @Test func theRealFileSystemReadsAnApp() throws {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("fingerprint-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: root + "/f", withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: root) }
    try Data("{}".utf8).write(to: URL(fileURLWithPath: root + "/host.json"))
    try Data("x".utf8).write(to: URL(fileURLWithPath: root + "/f/__init__.py"))
    try Data("x".utf8).write(to: URL(fileURLWithPath: root + "/f/notes.bin"))
    guard case .read(let fingerprint) = AppFingerprint.take(scriptRoot: root) else {
      Issue.record("the folder could not be read")
      return
    }
    #expect(fingerprint.changedFiles(since: AppFingerprint(files: [:])) == [root + "/f/__init__.py", root + "/host.json"])
  }

  @Test func hostJSONThatCannotBeReadIsAnErrorNotMissing() throws {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("unreadable-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: root) }
    // A folder named host.json exists but cannot be read as a file.
    try FileManager.default.createDirectory(atPath: root + "/host.json", withIntermediateDirectories: true)
    #expect(throws: FunctionsHostError.self) { _ = try FunctionApp.load(scriptRoot: root) }
  }
}
