internal import ArgumentParser

/// `functions-host`: runs Azure Functions Python apps.
@main
struct FunctionsHostCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "functions-host",
    abstract: "Run Azure Functions Python apps: a Swift host for the Functions language-worker protocol.",
    subcommands: [Start.self, Conformance.self, FakeWorker.self, BenchDispatch.self, BenchQueueFill.self, StorageCommand.self],
    defaultSubcommand: Start.self)
}
