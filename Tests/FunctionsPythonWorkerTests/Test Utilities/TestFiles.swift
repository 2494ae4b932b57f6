import Foundation

/// Temporary directories and small files for tests.
enum TestFiles {
  /// Runs `body` with a fresh empty directory (a canonical path), removed afterwards.
  static func withTemporaryDirectory<Result>(
    _ body: (String) async throws -> Result
  ) async throws -> Result {
    let base = FileManager.default.temporaryDirectory
      .appendingPathComponent("functions-python-worker-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: base) }
    return try await body(base.resolvingSymlinksInPath().path)
  }

  /// Writes `text` to `path`, creating parent directories; `executable` sets mode 0755.
  static func write(_ text: String, to path: String, executable: Bool = false) throws {
    let url = URL(fileURLWithPath: path)
    try FileManager.default.createDirectory(
      at: url.deletingLastPathComponent(),
      withIntermediateDirectories: true
    )
    try Data(text.utf8).write(to: url)
    if executable {
      try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
    }
  }

  /// The bytes of the file at `path`, or `nil`.
  static func read(_ path: String) -> [UInt8]? {
    FileManager.default.contents(atPath: path).map { [UInt8]($0) }
  }

  /// The names in a directory (empty if it does not exist).
  static func list(_ directory: String) -> [String] {
    (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
  }

  /// Whether something exists at `path`.
  static func exists(_ path: String) -> Bool {
    FileManager.default.fileExists(atPath: path)
  }
}
