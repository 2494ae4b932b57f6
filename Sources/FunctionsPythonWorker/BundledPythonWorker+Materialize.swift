internal import Foundation

extension BundledPythonWorker {
  /// Writes the bundled files to `<cacheDirectory>/worker-<contentHash>/` and returns where they
  /// are.
  ///
  /// The files are written into a temporary sibling directory that is then renamed into place, so
  /// a reader never sees a half-written worker. When the directory already exists and every file in
  /// it matches the embedded bytes, it is reused without writing anything; a damaged copy is
  /// replaced. Concurrent calls from several processes are safe. Folders are created with mode 0700
  /// and files with 0600, whatever the umask (a copy that other users could change is replaced).
  ///
  /// ```swift
  /// let worker = try BundledPythonWorker.materialize(into: "/var/cache/functions-host")
  /// ```
  ///
  /// - Parameter cacheDirectory: The cache root (see ``defaultCacheDirectory(environment:)``);
  ///   created if missing. A relative path is taken relative to the current directory.
  /// - Returns: The worker directory and the paths of `worker.py` and `requirements.txt`.
  /// - Throws: ``PythonEnvironmentError`` with code
  ///   ``PythonEnvironmentError/Code/cacheUnwritable``.
  public static func materialize(into cacheDirectory: String) throws -> BundledWorkerLocation {
    try materialize(files, contentHash: contentHash, into: cacheDirectory)
  }

  /// ``materialize(into:)`` for any file set; tests use it with their own files.
  package static func materialize(
    _ files: [File],
    contentHash: String,
    into cacheDirectory: String
  ) throws(PythonEnvironmentError) -> BundledWorkerLocation {
    let cache = LocalFiles.absolute(
      cacheDirectory,
      relativeTo: FileManager.default.currentDirectoryPath
    )
    let target = LocalFiles.join(cache, "worker-\(contentHash)")
    let location = BundledWorkerLocation(directory: target)
    if isComplete(target, files: files) { return location }

    do {
      try LocalFiles.createDirectory(cache)
    } catch {
      throw unwritable(cache, "cannot create the cache directory", error)
    }
    if LocalFiles.exists(target) {
      // A damaged copy (edited or partly deleted): move it aside first so the rename below can win.
      let stale = LocalFiles.join(
        cache,
        ".stale-worker-\(contentHash)-\(LocalFiles.uniqueSuffix())"
      )
      try? LocalFiles.rename(target, to: stale)
      LocalFiles.remove(stale)
    }

    let temporary = LocalFiles.join(
      cache,
      ".worker-\(contentHash).tmp-\(LocalFiles.uniqueSuffix())"
    )
    do {
      try LocalFiles.createDirectory(temporary)
      for file in files {
        let path = LocalFiles.join(temporary, file.relativePath)
        try LocalFiles.createDirectory(LocalFiles.parent(of: path))
        try LocalFiles.write(file.bytes, to: path)
      }
    } catch {
      LocalFiles.remove(temporary)
      throw unwritable(temporary, "cannot write the bundled Python worker", error)
    }

    do {
      try LocalFiles.rename(temporary, to: target)
    } catch {
      LocalFiles.remove(temporary)
      // Another process renamed its identical copy into place first: use that one.
      guard error.destinationExists, isComplete(target, files: files) else {
        throw unwritable(target, "cannot move the bundled Python worker into place", error)
      }
    }
    return location
  }

  /// Whether `directory` holds every file with exactly the expected bytes, with owner-only modes.
  private static func isComplete(_ directory: String, files: [File]) -> Bool {
    guard LocalFiles.isOwnerOnly(directory) else { return false }
    return files.allSatisfy { file in
      let path = LocalFiles.join(directory, file.relativePath)
      return LocalFiles.isOwnerOnly(path) && LocalFiles.isOwnerOnly(LocalFiles.parent(of: path))
        && LocalFiles.size(path) == file.bytes.count && LocalFiles.read(path) == file.bytes
    }
  }

  private static func unwritable(
    _ path: String,
    _ what: String,
    _ error: any Error
  ) -> PythonEnvironmentError {
    PythonEnvironmentError(
      code: .cacheUnwritable,
      message: "\(what) at \(path): \(error)",
      fix: "make the cache directory writable, or point XDG_CACHE_HOME at a writable directory",
      cause: error
    )
  }
}
