import Foundation
import FunctionsPythonWorker
import Testing

/// The real worker requirements (grpcio, protobuf, azure-functions) downloaded by pip: opt in with
/// `FUNCTIONS_HOST_NETWORK_TESTS=1`, as it needs network access and takes a minute.
@Suite(
  "Worker requirements (network)",
  .enabled(
    if: TestPython.isAvailable && TestPython.environment["FUNCTIONS_HOST_NETWORK_TESTS"] == "1",
    "set FUNCTIONS_HOST_NETWORK_TESTS=1 (and have python3 and network access) to install the real requirements"
  )
)
struct WorkerRequirementsNetworkTests {
  @Test(
    "the bundled requirements install into a managed environment that runs worker.py and the example"
  )
  func realRequirements() async throws {
    try await TestFiles.withTemporaryDirectory { cache in
      let worker = try BundledPythonWorker.materialize(into: cache)
      let environment = PythonEnvironment(
        configuration: .defaults(
          cacheDirectory: cache,
          workerRequirementsFile: worker.requirementsFile
        )
      )
      let recorder = LogRecorder()
      let python = try await environment.prepare(
        appRoot: ExampleApp.hello,
        environment: TestPython.environment,
        logger: recorder.logger
      )
      #expect(python.origin == .managedVirtualEnvironment)
      #expect(recorder.messages(containing: "pip: ").count > 3)

      let (imports, importOutput) = try await TestPython.run(
        python.executable,
        ["-c", "import grpc, google.protobuf, azure.functions"]
      )
      #expect(imports, "\(importOutput)")
      let (help, helpOutput) = try await TestPython.run(
        python.executable,
        [worker.workerScript, "--help"]
      )
      #expect(help, "\(helpOutput)")
      let (examples, exampleOutput) = try await TestPython.run(
        python.executable,
        ["-c", ExampleApp.exerciseScript, ExampleApp.hello]
      )
      #expect(examples, "\(exampleOutput)")

      // Warm start: the marker answers; pip does not run.
      let warm = LogRecorder()
      #expect(
        try await environment.prepare(
          appRoot: ExampleApp.hello,
          environment: TestPython.environment,
          logger: warm.logger
        ) == python
      )
      #expect(warm.messages(containing: "pip").isEmpty)
    }
  }
}
