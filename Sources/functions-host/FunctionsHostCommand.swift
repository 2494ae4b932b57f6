internal import ArgumentParser
internal import Foundation
internal import NIOCore
internal import NIOPosix

/// `functions-host`: runs Azure Functions Python apps.
@main
struct FunctionsHostCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "functions-host",
    abstract: "Run Azure Functions Python apps: a Swift host for the Functions language-worker protocol.",
    subcommands: [Start.self, Conformance.self, FakeWorker.self, BenchDispatch.self, BenchQueueFill.self, StorageCommand.self],
    defaultSubcommand: Start.self)

  /// Runs the command with SwiftNIO's event loops as Swift Concurrency's global executor, so that a request
  /// stays on the event loop that read it (no thread hop between the network and the request's task, nor
  /// between the host and its workers' sockets). `FUNCTIONS_HOST_NIO_EXECUTOR=0` keeps the default executor.
  static func main() async {
    if ProcessInfo.processInfo.environment["FUNCTIONS_HOST_NIO_EXECUTOR"] != "0" {
      NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
    }
    await main(nil)
  }
}
