/// Names a managed virtual environment after everything that decides its contents.
package enum VirtualEnvironmentKey {
  /// `py<major>.<minor>-<interpreter>-<worker requirements>-<app requirements>`, each a 16-digit
  /// FNV-1a hash: of the interpreter's real path and `sys.version`, of the worker's
  /// `requirements.txt`, and of the app's `requirements.txt` (`none` when the app has none).
  ///
  /// Any change gives a new directory, so an environment is never mutated after it is marked ready.
  package static func make(
    interpreter: InterpreterInfo,
    workerRequirements: [UInt8],
    appRequirements: [UInt8]?
  ) -> String {
    var identity = ContentHash()
    identity.update(field: interpreter.executable)
    identity.update(field: interpreter.versionDescription)
    let app = appRequirements.map { ContentHash.hex(of: $0) } ?? "none"
    return "py\(interpreter.major).\(interpreter.minor)-\(identity.hex)-"
      + "\(ContentHash.hex(of: workerRequirements))-\(app)"
  }
}
