internal import Foundation
internal import FunctionsHostCore

/// The private directory (mode 0700) in which the kit offers a worker a Unix socket path for its HTTP
/// server, as functions-host does (`FUNCTIONS_HOST_HTTP_SOCKET`).
enum HTTPSocketDirectory {
  static let environmentVariable = WorkerDescription.httpSocketEnvironmentVariable

  /// Creates `/tmp/fhc-<random>` (short: a socket path must fit in 108 bytes) with mode 0700.
  ///
  /// - Throws: ``ConformanceError`` `.fixture` when it cannot be created.
  static func make() throws -> String {
    let base = FileManager.default.temporaryDirectory.path.count < 60 ? FileManager.default.temporaryDirectory.path : "/tmp"
    let path = "\(base)/fhc-\(UUID().uuidString.prefix(12).lowercased())"
    do {
      try FileManager.default.createDirectory(
        atPath: path, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
    } catch {
      throw ConformanceError(code: .fixture, message: "could not create the private socket directory \(path)", cause: error)
    }
    return path
  }
}
