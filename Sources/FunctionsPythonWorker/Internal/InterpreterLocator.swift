/// Finds the Python interpreter to start from: an explicit one, the app's `.venv`, or `PATH`.
package enum InterpreterLocator {
  /// Where a located interpreter came from.
  package enum Source: Sendable, Equatable {
    /// Given explicitly (`--python`).
    case explicit
    /// The app's own `<appRoot>/.venv/bin/python`.
    case appVirtualEnvironment(String)
    /// Found as `python3` or `python` on `PATH`.
    case searchPath
  }

  /// A located interpreter: the path to run (not resolved; it may be a shim) and its source.
  package struct Located: Sendable, Equatable {
    package var path: String
    package var source: Source

    package init(path: String, source: Source) {
      self.path = path
      self.source = source
    }
  }

  /// The `PATH` used when the environment has none.
  package static let fallbackSearchPath = "/usr/local/bin:/usr/bin:/bin"

  /// The names tried on `PATH`, in order.
  package static let searchNames = ["python3", "python"]

  /// Finds the interpreter.
  ///
  /// Order: `explicit` (a path, or a name looked up on `PATH`); else `<appRoot>/.venv/bin/python`
  /// when `appRoot` is given and that file is executable; else `python3`, then `python` on `PATH`.
  package static func locate(
    explicit: String?,
    appRoot: String?,
    environment: [String: String],
    currentDirectory: String
  ) throws(PythonEnvironmentError) -> Located {
    if let explicit {
      if explicit.contains("/") {
        let path = LocalFiles.absolute(explicit, relativeTo: currentDirectory)
        guard LocalFiles.isExecutableFile(path) else {
          let state = LocalFiles.exists(path) ? "is not an executable file" : "does not exist"
          throw PythonEnvironmentError(
            code: .interpreterNotFound,
            message: "the Python interpreter \(path) (from --python) \(state)",
            fix: "pass the path of a Python 3.9+ executable with --python, "
              + "or omit it to use python3 from PATH"
          )
        }
        return Located(path: path, source: .explicit)
      }
      guard let found = search(explicit, environment: environment) else {
        throw PythonEnvironmentError(
          code: .interpreterNotFound,
          message: "the Python interpreter '\(explicit)' (from --python) was not found on PATH",
          fix: "pass an absolute path with --python, or add its directory to PATH"
        )
      }
      return Located(path: found, source: .explicit)
    }

    if let appRoot {
      let venv = LocalFiles.join(
        LocalFiles.absolute(appRoot, relativeTo: currentDirectory),
        ".venv"
      )
      let python = LocalFiles.join(venv, "bin", "python")
      if LocalFiles.isExecutableFile(python) {
        return Located(path: python, source: .appVirtualEnvironment(venv))
      }
    }

    for name in searchNames {
      if let found = search(name, environment: environment) {
        return Located(path: found, source: .searchPath)
      }
    }
    throw PythonEnvironmentError(
      code: .interpreterNotFound,
      message: "python3 not found on PATH (\(environment["PATH"] ?? fallbackSearchPath))",
      fix: "install Python 3.9+ or pass --python /path/to/python3"
    )
  }

  /// The first executable file called `name` in the environment's `PATH`.
  package static func search(_ name: String, environment: [String: String]) -> String? {
    let searchPath = environment["PATH"] ?? fallbackSearchPath
    for directory in searchPath.split(separator: ":", omittingEmptySubsequences: true)
    where directory.hasPrefix("/") {
      let candidate = LocalFiles.join(String(directory), name)
      if LocalFiles.isExecutableFile(candidate) { return candidate }
    }
    return nil
  }
}
