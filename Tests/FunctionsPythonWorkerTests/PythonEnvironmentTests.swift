import Foundation
import FunctionsPythonWorker
import Logging
import Testing

/// Interpreter lookup, keys and error messages: no virtual environment is created here.
@Suite("PythonEnvironment")
struct PythonEnvironmentTests {
  private func configuration(
    cache: String,
    requirements: String,
    _ configure: (inout PythonEnvironment.Configuration) -> Void = { _ in }
  ) -> PythonEnvironment.Configuration {
    .defaults(cacheDirectory: cache, workerRequirementsFile: requirements, configure)
  }

  private func prepareError(
    _ configuration: PythonEnvironment.Configuration,
    appRoot: String? = nil,
    environment: [String: String] = TestPython.environment
  ) async -> PythonEnvironmentError? {
    do {
      _ = try await PythonEnvironment(configuration: configuration)
        .prepare(appRoot: appRoot, environment: environment, logger: LogRecorder().logger)
      return nil
    } catch let error as PythonEnvironmentError {
      return error
    } catch {
      Issue.record("unexpected error \(error)")
      return nil
    }
  }

  @Test("a non-existent explicit interpreter is named in the error")
  func missingExplicitInterpreter() async throws {
    try await TestFiles.withTemporaryDirectory { root in
      let missing = root + "/no/such/python3.12"
      let error = await prepareError(
        configuration(cache: root, requirements: root + "/r.txt") { $0.interpreter = missing }
      )
      #expect(error?.code == .interpreterNotFound)
      #expect(error?.message.contains(missing) == true)
      #expect(error?.message.contains("does not exist") == true)
      #expect(error?.fix?.contains("--python") == true)
    }
  }

  @Test("an explicit interpreter name that is not on PATH is named in the error")
  func explicitNameNotOnPath() async throws {
    try await TestFiles.withTemporaryDirectory { root in
      let error = await prepareError(
        configuration(cache: root, requirements: root + "/r.txt") { $0.interpreter = "python9.99" },
        environment: ["PATH": root]
      )
      #expect(error?.code == .interpreterNotFound)
      #expect(error?.message.contains("python9.99") == true)
    }
  }

  @Test("no python3 or python on PATH")
  func nothingOnPath() async throws {
    try await TestFiles.withTemporaryDirectory { root in
      let error = await prepareError(
        configuration(cache: root, requirements: root + "/r.txt"),
        environment: ["PATH": root + "/empty"]
      )
      #expect(error?.code == .interpreterNotFound)
      #expect(error?.message.hasPrefix("python3 not found on PATH") == true)
      #expect(error?.fix == "install Python 3.9+ or pass --python /path/to/python3")
    }
  }

  @Test("lookup order: explicit, then the app's .venv, then python3, then python on PATH")
  func lookupOrder() async throws {
    try await TestFiles.withTemporaryDirectory { root in
      let bin = root + "/bin"
      try TestFiles.write("#!/bin/sh\n", to: bin + "/python", executable: true)
      var found = try InterpreterLocator.locate(
        explicit: nil,
        appRoot: nil,
        environment: ["PATH": "/nonexistent:" + bin],
        currentDirectory: root
      )
      #expect(found == .init(path: bin + "/python", source: .searchPath))

      try TestFiles.write("#!/bin/sh\n", to: bin + "/python3", executable: true)
      try TestFiles.write("not executable", to: root + "/app/.venv/bin/python")
      found = try InterpreterLocator.locate(
        explicit: nil,
        appRoot: root + "/app",
        environment: ["PATH": bin],
        currentDirectory: root
      )
      #expect(found == .init(path: bin + "/python3", source: .searchPath))

      try TestFiles.write("#!/bin/sh\n", to: root + "/app/.venv/bin/python", executable: true)
      found = try InterpreterLocator.locate(
        explicit: nil,
        appRoot: "app",
        environment: ["PATH": bin],
        currentDirectory: root
      )
      #expect(
        found
          == .init(
            path: root + "/app/.venv/bin/python",
            source: .appVirtualEnvironment(root + "/app/.venv")
          )
      )

      found = try InterpreterLocator.locate(
        explicit: "python3",
        appRoot: root + "/app",
        environment: ["PATH": bin],
        currentDirectory: root
      )
      #expect(found == .init(path: bin + "/python3", source: .explicit))
    }
  }

  @Test(
    "an interpreter older than 3.9 is refused with its version",
    arguments: ["3.8.18", "2.7.18"]
  )
  func unsupportedVersion(version: String) async throws {
    try await TestFiles.withTemporaryDirectory { root in
      let fake = root + "/fake/python"
      try TestPython.writeFake(at: fake, version: version)
      let error = await prepareError(
        configuration(cache: root, requirements: root + "/r.txt") { $0.interpreter = fake }
      )
      #expect(error?.code == .unsupportedVersion)
      #expect(error?.message.contains(fake) == true)
      #expect(error?.message.contains("Python \(version)") == true)
      #expect(error?.message.contains("3.9 or newer") == true)
    }
  }

  @Test("an interpreter without venv/ensurepip gets the python3-venv fix")
  func venvUnavailable() async throws {
    try await TestFiles.withTemporaryDirectory { root in
      let fake = root + "/fake/python3"
      try TestPython.writeFake(at: fake, version: "3.11.2", canCreateVirtualEnvironments: false)
      try TestFiles.write("# nothing\n", to: root + "/r.txt")
      let error = await prepareError(
        configuration(cache: root + "/cache", requirements: root + "/r.txt") {
          $0.interpreter = fake
        }
      )
      #expect(error?.code == .venvUnavailable)
      #expect(error?.fix?.contains("apt-get install python3-venv") == true)
      #expect(error?.fix?.contains("python3.11-venv") == true)
    }
  }

  @Test("an interpreter that cannot answer the probe")
  func brokenInterpreter() async throws {
    try await TestFiles.withTemporaryDirectory { root in
      let fake = root + "/fake/python3"
      try TestFiles.write("#!/bin/sh\necho 'boom' >&2\nexit 3\n", to: fake, executable: true)
      let error = await prepareError(
        configuration(cache: root, requirements: root + "/r.txt") { $0.interpreter = fake }
      )
      #expect(error?.code == .interpreterFailed)
      #expect(error?.message.contains(fake) == true)
      #expect(error?.message.contains("boom") == true)
    }
  }

  @Test("an interpreter used as is must already have the worker's modules")
  func requirementsMissing() async throws {
    try await TestFiles.withTemporaryDirectory { root in
      let fake = root + "/fake/python3"
      try TestPython.writeFake(at: fake, version: "3.12.1", missing: "grpc,azure.functions")
      let error = await prepareError(
        configuration(cache: root, requirements: root + "/r.txt") {
          $0.interpreter = fake
          $0.usesManagedVirtualEnvironment = false
        }
      )
      #expect(error?.code == .requirementsMissing)
      #expect(error?.message.contains("grpc, azure.functions") == true)
      #expect(error?.fix?.contains("-m pip install -r \(root)/r.txt") == true)
    }
  }

  @Test("a missing worker requirements file is reported")
  func workerRequirementsMissing() async throws {
    try await TestFiles.withTemporaryDirectory { root in
      let fake = root + "/fake/python3"
      try TestPython.writeFake(at: fake, version: "3.12.1")
      let error = await prepareError(
        configuration(cache: root, requirements: root + "/absent.txt") { $0.interpreter = fake }
      )
      #expect(error?.code == .workerFilesMissing)
      #expect(error?.message.contains(root + "/absent.txt") == true)
    }
  }

  @Test("the probe answer of a real interpreter binary is cached by its file")
  func probeCache() async throws {
    try await TestFiles.withTemporaryDirectory { root in
      let fake = root + "/fake/python3"
      try TestPython.writeFake(at: fake, version: "3.10.4")
      let first = try await InterpreterProbe.cachedProbe(
        fake,
        cacheDirectory: root,
        environment: [:]
      )
      #expect(first.version == "3.10.4")
      #expect(TestFiles.list(root + "/interpreters").count == 1)
      // Same file, same answer, even if running it would now say something else: proves no rerun.
      let file = root + "/interpreters/" + TestFiles.list(root + "/interpreters")[0]
      let cached = String(decoding: TestFiles.read(file)!, as: UTF8.self)
      try TestFiles.write(cached.replacingOccurrences(of: "3.10.4", with: "3.10.5"), to: file)
      #expect(
        try await InterpreterProbe.cachedProbe(fake, cacheDirectory: root, environment: [:]).version
          == "3.10.5"
      )
      // A changed interpreter file invalidates the entry.
      try TestPython.writeFake(at: fake, version: "3.10.66")
      #expect(
        try await InterpreterProbe.cachedProbe(fake, cacheDirectory: root, environment: [:]).version
          == "3.10.66"
      )
    }
  }

  @Test(
    "a real python3 answers the probe",
    .enabled(if: TestPython.isAvailable, "python3 is not on PATH")
  )
  func realProbe() async throws {
    let info = try await InterpreterProbe.probe(
      TestPython.python3!,
      modules: ["json", "surely_not_a_module_xyz"],
      environment: TestPython.environment
    )
    #expect(info.isSupported)
    #expect(info.executable.hasPrefix("/"))
    #expect(info.missingModules == ["surely_not_a_module_xyz"])
    #expect(info.versionDescription.hasPrefix(info.version))
  }
}

/// The managed environment's key follows the interpreter and both requirements files.
@Suite("VirtualEnvironmentKey")
struct VirtualEnvironmentKeyTests {
  static let python = InterpreterInfo(
    executable: "/usr/bin/python3.11",
    major: 3,
    minor: 11,
    micro: 2,
    versionDescription: "3.11.2 (main, Mar 13 2023) [GCC 12.2.0]",
    isVirtualEnvironment: false,
    canCreateVirtualEnvironments: true,
    missingModules: []
  )
  static let worker = Array("grpcio>=1.60\nprotobuf>=4\nazure-functions\n".utf8)
  static let base = VirtualEnvironmentKey.make(
    interpreter: python,
    workerRequirements: worker,
    appRequirements: nil
  )

  @Test("the key is stable and readable")
  func stable() {
    #expect(
      Self.base
        == VirtualEnvironmentKey.make(
          interpreter: Self.python,
          workerRequirements: Self.worker,
          appRequirements: nil
        )
    )
    #expect(Self.base.hasPrefix("py3.11-"))
    #expect(Self.base.hasSuffix("-none"))
  }

  @Test(
    "any input change gives another key",
    arguments: [
      "worker requirements", "app requirements added", "app requirements changed",
      "interpreter path",
      "interpreter build",
    ]
  )
  func changes(change: String) {
    var python = Self.python
    var worker = Self.worker
    var app: [UInt8]? = nil
    var reference = Self.base
    switch change {
    case "worker requirements": worker += Array("requests\n".utf8)
    case "app requirements added": app = Array("azure-functions\n".utf8)
    case "app requirements changed":
      reference = VirtualEnvironmentKey.make(
        interpreter: python,
        workerRequirements: worker,
        appRequirements: Array("azure-functions\n".utf8)
      )
      app = Array("azure-functions\nnumpy\n".utf8)
    case "interpreter path": python.executable = "/opt/python/bin/python3.11"
    default: python.versionDescription = "3.11.2 (main, Apr 1 2024) [Clang 15]"
    }
    let key = VirtualEnvironmentKey.make(
      interpreter: python,
      workerRequirements: worker,
      appRequirements: app
    )
    #expect(key != reference)
  }
}
