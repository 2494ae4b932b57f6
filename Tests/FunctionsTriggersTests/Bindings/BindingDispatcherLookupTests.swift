import Foundation
import FunctionsHostCore
import FunctionsRPC
import FunctionsStorage
import Logging
import Synchronization
import Testing

@testable import FunctionsTriggers

/// The HTTP hot path through the binding dispatcher: one function lookup per invocation, and the host is
/// handed the function it found.
@Suite("Binding dispatcher: lookups")
struct BindingDispatcherLookupTests {
  /// Counts name lookups and which invoke entry point was used.
  final class CountingHost: InvocationDispatching, Sendable {
    struct Counts: Sendable {
      var lookups = 0
      var invokedByName = 0
      var invokedWithFunction: [FunctionMetadata] = []
    }
    let list: Mutex<[FunctionMetadata]>
    let counts = Mutex(Counts())

    init(_ functions: [FunctionMetadata]) { list = Mutex(functions) }
    func functions() -> [FunctionMetadata] { list.withLock { $0 } }
    func function(named name: String) -> FunctionMetadata? {
      counts.withLock { $0.lookups += 1 }
      return functions().first { $0.name.lowercased() == name.lowercased() }
    }
    func invoke(_ input: InvocationInput) async throws -> InvocationOutput {
      counts.withLock { $0.invokedByName += 1 }
      return InvocationOutput(invocationID: "i")
    }
    func invoke(_ input: InvocationInput, function: FunctionMetadata) async throws -> InvocationOutput {
      counts.withLock { $0.invokedWithFunction.append(function) }
      return InvocationOutput(invocationID: "i")
    }
  }

  static func http(_ name: String, id: String, extra: [BindingMetadata] = []) -> FunctionMetadata {
    FunctionMetadata(
      name: name, functionID: id, directory: "/app", scriptFile: "/app/function_app.py",
      bindings: [BindingMetadata(name: "req", type: "httpTrigger", direction: .in)] + extra)
  }

  func dispatcher(_ host: CountingHost, store: any FunctionsStore) -> BindingDispatcher {
    BindingDispatcher(
      inner: host, store: store, logger: Logger(label: "test"),
      environment: { BindingEnvironment(settings: ["AzureWebJobsStorage": "UseDevelopmentStorage=true"], messageEncoding: .base64) })
  }

  @Test func anHTTPInvocationLooksTheFunctionUpOnceAndHandsItToTheHost() async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bdl-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let store = try SQLiteStore(path: directory.appendingPathComponent("s.sqlite").path)
    defer { store.close(); try? FileManager.default.removeItem(at: directory) }
    let host = CountingHost([Self.http("Hello", id: "id-1")])
    let bindings = dispatcher(host, store: store)
    for name in ["Hello", "hello", "HELLO"] { _ = try await bindings.invoke(InvocationInput(functionName: name)) }
    let counts = host.counts.withLock { $0 }
    #expect(counts.lookups == 0)  // the dispatcher's own table answered; the host is not asked again
    #expect(counts.invokedByName == 0)
    #expect(counts.invokedWithFunction.map(\.functionID) == ["id-1", "id-1", "id-1"])
  }

  @Test func aReloadThatKeepsTheIDButChangesBindingsIsNoticed() async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bdl-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let store = try SQLiteStore(path: directory.appendingPathComponent("s.sqlite").path)
    defer { store.close(); try? FileManager.default.removeItem(at: directory) }
    let host = CountingHost([Self.http("f", id: "same")])
    let bindings = dispatcher(host, store: store)
    _ = try await bindings.invoke(InvocationInput(functionName: "f"))
    // Same id, now with an unsupported binding: the new plan refuses it.
    host.list.withLock {
      $0 = [Self.http("f", id: "same", extra: [BindingMetadata(name: "x", type: "cosmosDB", direction: .out)])]
    }
    await #expect(throws: FunctionsHostError.self) { _ = try await bindings.invoke(InvocationInput(functionName: "f")) }
    #expect(host.counts.withLock { $0.invokedWithFunction.count } == 1)
  }
}
