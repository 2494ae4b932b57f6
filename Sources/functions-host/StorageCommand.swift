internal import ArgumentParser
internal import Foundation
internal import FunctionsPythonWorker
internal import FunctionsStorage
internal import FunctionsStorageEndpoints
internal import Logging
internal import ServiceLifecycle
internal import UnixSignals

/// `functions-host storage`: serves only the Azure-Storage-compatible Blob and Queue endpoints
/// (what Azurite serves) from a store file, until SIGINT or SIGTERM.
///
/// Once both endpoints listen it prints one machine-readable line and the connection string:
/// ```
/// storage endpoints: blob=http://127.0.0.1:10000/devstoreaccount1 queue=http://127.0.0.1:10001/devstoreaccount1
/// connection string: DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=…;BlobEndpoint=…;QueueEndpoint=…;
/// ```
struct StorageCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "storage",
    abstract: "Serve only the Azure-Storage-compatible Blob and Queue endpoints (like Azurite) from a store file.")

  @Option(name: .long, help: "The store file (default: <cache>/storage/standalone.sqlite).")
  var store: String?

  @Option(name: .long, help: "Cache folder holding the default store.")
  var cacheDirectory: String?

  @Option(name: .long, help: "Listen address.")
  var host: String = "127.0.0.1"

  @Option(name: .customLong("blob-port"), help: "Port of the Blob endpoint (0 picks a free port).")
  var blobPort: Int = 10000

  @Option(name: .customLong("queue-port"), help: "Port of the Queue endpoint (0 picks a free port).")
  var queuePort: Int = 10001

  @Option(name: .long, help: "The account name (the first path segment of every URL).")
  var account: String = StorageEndpoints.developmentAccountName

  @Option(name: .customLong("account-key"), help: "The account key, base64 (default: the emulator's well-known key).")
  var accountKey: String = StorageEndpoints.developmentAccountKey

  @Option(name: .customLong("log-level"), help: "trace, debug, info, warning or error.")
  var logLevel: String = "info"

  func validate() throws {
    guard Logger.Level(rawValue: logLevel.lowercased()) != nil else {
      throw ValidationError("--log-level '\(logLevel)' is not one of trace, debug, info, warning, error")
    }
    guard Data(base64Encoded: accountKey) != nil else {
      throw ValidationError("--account-key is not valid base64")
    }
    for (flag, port) in [("--blob-port", blobPort), ("--queue-port", queuePort)] where !(0...65535).contains(port) {
      throw ValidationError("\(flag) \(port) is not a port (0-65535)")
    }
  }

  func run() async throws {
    let level = Logger.Level(rawValue: logLevel.lowercased()) ?? .info
    LoggingSystem.bootstrap { label in ConsoleLogHandler(label: label, level: level) }
    let logger = Logger(label: "functions-host.storage")
    let environment = ProcessInfo.processInfo.environment
    let cache = cacheDirectory ?? BundledPythonWorker.defaultCacheDirectory(environment: environment)
    let path = store ?? cache + "/storage/standalone.sqlite"

    let sqlite: SQLiteStore
    do {
      sqlite = try SQLiteStore(path: path)
    } catch let error as StorageError {
      throw ValidationError("cannot open the store: \(error.message)")
    }
    defer { sqlite.close() }

    let endpoints = StorageEndpoints(
      store: sqlite,
      configuration: .defaults {
        $0.host = host
        $0.blobPort = blobPort
        $0.queuePort = queuePort
        $0.accountName = account
        $0.accountKey = accountKey
      },
      logger: logger)
    let group = ServiceGroup(
      configuration: .init(
        services: [.init(service: endpoints)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))

    do {
      try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        tasks.addTask {
          guard let blob = try? await endpoints.blobEndpoint, let queue = try? await endpoints.queueEndpoint,
            let connection = try? await endpoints.connectionString
          else { return }
          Self.printLine("storage endpoints: blob=\(blob) queue=\(queue)")
          Self.printLine("connection string: \(connection)")
          Self.printLine("store: \(path)")
        }
        try await tasks.waitForAll()
      }
    } catch let error as StorageEndpointsError {
      if error.code == .portInUse, let port = error.port, let flag = error.flag {
        logger.error("port \(port) is in use (an Azurite running?); pass \(flag) N (0 picks a free port)")
      } else {
        logger.error("\(error.message)")
      }
      throw ExitCode.failure
    }
  }

  /// Writes a line to stdout at once (stdout is block-buffered when piped; readers wait for these lines).
  private static func printLine(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
  }
}
