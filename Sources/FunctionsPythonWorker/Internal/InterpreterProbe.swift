/// What a Python interpreter says about itself, asked by running a tiny script.
package struct InterpreterInfo: Sendable, Equatable {
  /// `realpath(sys.executable)`: the binary that really runs (a pyenv shim resolves to its target).
  package var executable: String
  /// `(major, minor, micro)` from `sys.version_info`.
  package var major: Int
  package var minor: Int
  package var micro: Int
  /// The full `sys.version` on one line, part of the managed environment's key.
  package var versionDescription: String
  /// Whether the interpreter runs inside a virtual environment (`sys.prefix != sys.base_prefix`).
  package var isVirtualEnvironment: Bool
  /// Whether `venv` and `ensurepip` can be imported (Debian splits them into `python3-venv`).
  package var canCreateVirtualEnvironments: Bool
  /// The requested modules that failed to import.
  package var missingModules: [String]

  package init(
    executable: String,
    major: Int,
    minor: Int,
    micro: Int,
    versionDescription: String,
    isVirtualEnvironment: Bool,
    canCreateVirtualEnvironments: Bool,
    missingModules: [String]
  ) {
    self.executable = executable
    self.major = major
    self.minor = minor
    self.micro = micro
    self.versionDescription = versionDescription
    self.isVirtualEnvironment = isVirtualEnvironment
    self.canCreateVirtualEnvironments = canCreateVirtualEnvironments
    self.missingModules = missingModules
  }

  /// `3.11.7`.
  package var version: String { "\(major).\(minor).\(micro)" }

  /// Whether this is at least Python 3.9, the oldest version the worker supports.
  package var isSupported: Bool { (major, minor) >= (3, 9) }
}

/// Runs the probe script and caches its answer for interpreters whose file identifies them.
package enum InterpreterProbe {
  /// Prints one fact per line; runs on Python 2 as well, so old interpreters get a clear message.
  /// (No line starts with `import`, which keeps the import-access-level check quiet.)
  package static let script = """
    sys = __import__("sys")
    from os.path import realpath
    print(realpath(sys.executable))
    print("%d.%d.%d" % tuple(sys.version_info[:3]))
    print(sys.version.replace("\\n", " "))
    print(int(getattr(sys, "base_prefix", sys.prefix) != sys.prefix or hasattr(sys, "real_prefix")))
    try:
        from importlib import util as u
        print(int(u.find_spec("venv") is not None and u.find_spec("ensurepip") is not None))
    except Exception:
        print(0)
    missing = []
    for name in sys.argv[1:]:
        try:
            __import__(name)
        except Exception:
            missing.append(name)
    print(",".join(missing))
    """

  private static let cacheFormat = "functions-host-probe-1"

  /// Asks `interpreter` about itself, checking that each of `modules` imports.
  ///
  /// - Throws: ``PythonEnvironmentError`` `.interpreterFailed` when it cannot run or answers
  ///   nonsense.
  package static func probe(
    _ interpreter: String,
    modules: [String] = [],
    environment: [String: String]
  ) async throws(PythonEnvironmentError) -> InterpreterInfo {
    let outcome: CommandRunner.Outcome
    do {
      outcome = try await CommandRunner.collect(
        interpreter,
        ["-c", script] + modules,
        environment: environment
      )
    } catch {
      throw PythonEnvironmentError(
        code: .interpreterFailed,
        message: "cannot run the Python interpreter \(interpreter): \(error)",
        fix: fix(interpreter),
        cause: error
      )
    }
    guard outcome.succeeded, let info = parse(outcome.output) else {
      let detail = outcome.errorOutput.split(separator: "\n").suffix(5).joined(separator: "\n")
      throw PythonEnvironmentError(
        code: .interpreterFailed,
        message:
          "the Python interpreter \(interpreter) failed to report its version (\(outcome.status))"
          + (detail.isEmpty ? "" : ":\n\(detail)"),
        fix: fix(interpreter)
      )
    }
    return info
  }

  private static func fix(_ interpreter: String) -> String {
    "check that \(interpreter) is a working Python 3.9+ executable, or pass another with --python"
  }

  /// ``probe(_:modules:environment:)`` without modules, answered from
  /// `<cache>/interpreters/` when the interpreter's file has not changed since the last probe.
  ///
  /// Only interpreters that are the real binary (not a shim or wrapper script that might pick
  /// another Python at run time) and not inside a virtual environment are cached.
  package static func cachedProbe(
    _ interpreter: String,
    cacheDirectory: String,
    environment: [String: String]
  ) async throws(PythonEnvironmentError) -> InterpreterInfo {
    let resolved = LocalFiles.realPath(interpreter)
    let signature = resolved.flatMap(LocalFiles.statSignature)
    let file = LocalFiles.join(
      cacheDirectory,
      "interpreters",
      ContentHash.hex(of: Array(interpreter.utf8)) + ".probe"
    )
    let header = [cacheFormat, interpreter, signature ?? ""]
    if signature != nil, let bytes = LocalFiles.read(file) {
      let lines = String(decoding: bytes, as: UTF8.self)
        .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
      if lines.count > header.count, Array(lines.prefix(header.count)) == header,
        let info = parse(Array(lines.dropFirst(header.count)))
      {
        return info
      }
    }
    let info = try await probe(interpreter, environment: environment)
    if signature != nil, resolved == info.executable, !info.isVirtualEnvironment {
      let text = (header + render(info)).joined(separator: "\n") + "\n"
      try? LocalFiles.createDirectory(LocalFiles.parent(of: file))
      try? LocalFiles.writeAtomically(Array(text.utf8), to: file)
    }
    return info
  }

  /// Parses the script's six lines.
  package static func parse(_ lines: [String]) -> InterpreterInfo? {
    guard lines.count >= 6 else { return nil }
    let numbers = lines[1].split(separator: ".").compactMap { Int($0) }
    guard lines[0].hasPrefix("/"), numbers.count == 3 else { return nil }
    return InterpreterInfo(
      executable: lines[0],
      major: numbers[0],
      minor: numbers[1],
      micro: numbers[2],
      versionDescription: lines[2],
      isVirtualEnvironment: lines[3] == "1",
      canCreateVirtualEnvironments: lines[4] == "1",
      missingModules: lines[5].split(separator: ",").map(String.init)
    )
  }

  private static func render(_ info: InterpreterInfo) -> [String] {
    [
      info.executable, info.version, info.versionDescription, info.isVirtualEnvironment ? "1" : "0",
      info.canCreateVirtualEnvironments ? "1" : "0", info.missingModules.joined(separator: ","),
    ]
  }
}
