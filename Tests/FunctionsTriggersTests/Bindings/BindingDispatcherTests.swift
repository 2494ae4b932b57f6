import Foundation
import FunctionsHostCore
import FunctionsRPC
import FunctionsStorage
import Logging
import Synchronization
import Testing

@testable import FunctionsTriggers

/// The binding pipeline with a recording dispatcher in place of the host (no processes) and the real store.
@Suite("Binding dispatcher")
struct BindingDispatcherTests {
  /// Answers every invocation with a fixed output and records the inputs it was given.
  final class Recorder: InvocationDispatching, Sendable {
    let functionList: [FunctionMetadata]
    let output: InvocationOutput
    let inputs = Mutex<[InvocationInput]>([])

    init(functions: [FunctionMetadata], output: InvocationOutput) {
      functionList = functions
      self.output = output
    }
    func functions() -> [FunctionMetadata] { functionList }
    func invoke(_ input: InvocationInput) async throws -> InvocationOutput {
      inputs.withLock { $0.append(input) }
      return output
    }
  }

  static func binding(_ name: String, _ type: String, _ direction: BindingMetadata.Direction, _ properties: [String: JSONValue] = [:], dataType: String? = nil) -> BindingMetadata {
    BindingMetadata(name: name, type: type, direction: direction, dataType: dataType, properties: properties)
  }

  static func function(_ name: String, _ bindings: [BindingMetadata]) -> FunctionMetadata {
    FunctionMetadata(name: name, functionID: "id-\(name)", directory: "/app/\(name)", scriptFile: "/app/\(name)/__init__.py", bindings: bindings)
  }

  static func typed(_ build: (inout AzureFunctionsRpcMessages_TypedData) -> Void) -> AzureFunctionsRpcMessages_TypedData {
    var data = AzureFunctionsRpcMessages_TypedData()
    build(&data)
    return data
  }

  let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bd-\(UUID().uuidString)")
  let settings = ["AzureWebJobsStorage": "UseDevelopmentStorage=true"]

  func dispatcher(_ recorder: Recorder, store: SQLiteStore, encoding: QueueListenerOptions.MessageEncoding = .base64)
    -> BindingDispatcher
  {
    let settings = self.settings
    return BindingDispatcher(
      inner: recorder, store: store, logger: Logger(label: "test"),
      environment: { BindingEnvironment(settings: settings, messageEncoding: encoding) })
  }

  @Test func queueOutputListsBecomeOneMessageEachBase64Encoded() async throws {
    let store = try SQLiteStore(path: directory.appendingPathComponent("s.sqlite").path)
    defer { store.close(); try? FileManager.default.removeItem(at: directory) }
    let f = Self.function("fan", [
      Self.binding("req", "httpTrigger", .in),
      Self.binding("msgs", "queue", .out, ["queueName": .string("Out-Q")]),
    ])
    let recorder = Recorder(
      functions: [f],
      output: InvocationOutput(invocationID: "i1", outputData: ["msgs": Self.typed { $0.json = #"["a","b",{"k":1}]"# }]))
    _ = try await dispatcher(recorder, store: store).invoke(InvocationInput(functionName: "fan"))
    let messages = try await store.peekMessages(queue: "out-q", count: 32)  // names are lower-cased, as stock
    #expect(messages.map { String(decoding: $0.body, as: UTF8.self) } == ["YQ==", "Yg==", "eyJrIjoxfQ=="])
  }

  @Test func blobInputsAreReadFromRouteValuesAndMissingOnesAreEmpty() async throws {
    let store = try SQLiteStore(path: directory.appendingPathComponent("s.sqlite").path)
    defer { store.close(); try? FileManager.default.removeItem(at: directory) }
    _ = try await store.createContainer("samples", metadata: [:], publicAccess: nil)
    _ = try await store.putBlob(
      container: "samples", name: "a.txt", content: SingleChunk(bytes: Array("hello".utf8)), headers: .init(),
      metadata: [:], conditions: .none)
    let f = Self.function("get", [
      Self.binding("req", "httpTrigger", .in, ["route": .string("items/{id}")]),
      Self.binding("obj", "blob", .in, ["path": .string("samples/{id}")]),
    ])
    let recorder = Recorder(functions: [f], output: InvocationOutput(invocationID: "i"))
    let d = dispatcher(recorder, store: store)
    for id in ["a.txt", "missing.txt"] {
      _ = try await d.invoke(
        InvocationInput(functionName: "get", triggerMetadata: ["id": Self.typed { $0.string = id }]))
    }
    let inputs = recorder.inputs.withLock { $0 }
    #expect(inputs.count == 2)
    #expect(inputs[0].inputData.first { $0.name == "obj" }?.data.string == "hello")
    #expect(inputs[1].inputData.first { $0.name == "obj" }?.data.data == nil)  // None in Python
  }

  @Test func anExpressionWithoutValueFailsNamingFunctionBindingAndExpression() async throws {
    let store = try SQLiteStore(path: directory.appendingPathComponent("s.sqlite").path)
    defer { store.close(); try? FileManager.default.removeItem(at: directory) }
    let f = Self.function("save", [
      Self.binding("req", "httpTrigger", .in),
      Self.binding("out", "blob", .out, ["path": .string("saved/{customer}.txt")]),
    ])
    let recorder = Recorder(
      functions: [f], output: InvocationOutput(invocationID: "i", outputData: ["out": Self.typed { $0.string = "x" }]))
    await #expect {
      _ = try await dispatcher(recorder, store: store).invoke(InvocationInput(functionName: "save"))
    } throws: { error in
      guard let e = error as? FunctionsHostError else { return false }
      return e.code == .bindingFailed && e.message.contains("'save'") && e.message.contains("'out'")
        && e.message.contains("customer") && e.invocationID == "i"
    }
  }

  @Test func unsupportedBindingsAreRefusedBeforeRunning() async throws {
    let store = try SQLiteStore(path: directory.appendingPathComponent("s.sqlite").path)
    defer { store.close(); try? FileManager.default.removeItem(at: directory) }
    let f = Self.function("cosmos", [
      Self.binding("req", "httpTrigger", .in),
      Self.binding("doc", "cosmosDB", .out),
    ])
    let recorder = Recorder(functions: [f], output: InvocationOutput(invocationID: "i"))
    let d = dispatcher(recorder, store: store)
    let (errors, _) = d.problems(in: [f])
    #expect(errors.count == 1 && errors[0].message.contains("'cosmosDB'"))
    await #expect(throws: FunctionsHostError.self) {
      _ = try await d.invoke(InvocationInput(functionName: "cosmos"))
    }
    #expect(recorder.inputs.withLock { $0.isEmpty })  // never ran
  }

  @Test(arguments: [
    ("UseDevelopmentStorage=true", nil as String?),
    ("DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=k;BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1", nil),
    ("DefaultEndpointsProtocol=https;AccountName=prodacct;AccountKey=k;EndpointSuffix=core.windows.net", "prodacct"),
  ])
  func realAccountsAreNamed(connection: String, account: String?) {
    #expect(ConnectionString.realAccount(in: connection) == account)
  }

  @Test func missingConnectionSettingIsALoadError() {
    let f = Self.function("q", [Self.binding("msg", "queueTrigger", .in, ["queueName": .string("jobs"), "connection": .string("Nope")])])
    let plan = FunctionBindingPlan.make(for: f, settings: [:])
    #expect(plan.error?.message.contains("'Nope' does not exist") == true)
    let ok = FunctionBindingPlan.make(for: f, settings: ["Nope__queueServiceUri": "https://x"])
    #expect(ok.error == nil)  // identity-based connections count as present
  }
}
