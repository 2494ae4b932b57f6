internal import Foundation

/// A directory only the host's user can enter (mode 0700, whatever the umask), holding the worker
/// socket (mode 0600). Other local users can neither connect to the socket nor replace it.
package struct PrivateSocketDirectory: Sendable {
  /// The directory.
  package let path: String
  /// Where the socket goes inside it.
  package var socketPath: String { path + "/worker.sock" }

  /// Creates a new directory under `parent` (the temporary directory by default).
  ///
  /// - Throws: ``FunctionsHostError`` `.configuration` naming the directory when it cannot be created.
  package static func create(in parent: String = NSTemporaryDirectory()) throws -> PrivateSocketDirectory {
    var base = parent
    while base.count > 1 && base.hasSuffix("/") { base.removeLast() }
    // mkdtemp creates the directory with mode 0700; chmod again in case the platform honours the umask.
    var template = Array("\(base)/functions-host-XXXXXX".utf8CString)
    let created = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
    guard created != nil else {
      throw FunctionsHostError(
        code: .configuration,
        message: "could not create a private directory for the worker socket in \(base): \(String(cString: strerror(errno)))")
    }
    let path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    guard chmod(path, 0o700) == 0 else {
      let reason = String(cString: strerror(errno))
      rmdir(path)
      throw FunctionsHostError(code: .configuration, message: "could not make \(path) private (mode 0700): \(reason)")
    }
    return PrivateSocketDirectory(path: path)
  }

  /// Restricts the bound socket to the host's user (mode 0600).
  ///
  /// - Throws: ``FunctionsHostError`` `.configuration` naming the socket.
  package func restrictSocket() throws {
    guard chmod(socketPath, 0o600) == 0 else {
      throw FunctionsHostError(
        code: .configuration, message: "could not set mode 0600 on \(socketPath): \(String(cString: strerror(errno)))")
    }
  }

  /// Removes the sockets in it (the worker socket and the workers' HTTP sockets) and the directory.
  package func remove() {
    unlink(socketPath)
    for name in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] where name.hasSuffix(".sock") {
      unlink(path + "/" + name)
    }
    rmdir(path)
  }
}
