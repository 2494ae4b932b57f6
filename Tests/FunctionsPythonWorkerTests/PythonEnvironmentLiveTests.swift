import Foundation
import FunctionsPythonWorker
import Testing

/// Real interpreters and real virtual environments, without network: the requirements files hold
/// only comments, so pip has nothing to download.
@Suite(
  "PythonEnvironment (live)",
  .enabled(if: TestPython.isAvailable, "python3 is not on PATH; cannot create virtual environments")
)
struct PythonEnvironmentLiveTests {
  @Test("a managed environment is created once, marked ready, then reused without running pip")
  func managedEnvironment() async throws {
    try await TestFiles.withTemporaryDirectory { root in
      let requirements = root + "/worker-requirements.txt"
      try TestFiles.write(
        "# no packages: proves create/marker/fast path without network\n",
        to: requirements
      )
      let configuration = PythonEnvironment.Configuration.defaults(
        cacheDirectory: root + "/cache",
        workerRequirementsFile: requirements
      )
      let environment = PythonEnvironment(configuration: configuration)
      let recorder = LogRecorder()

      // Two concurrent starts: one builds, the other waits on the lock and reuses the result.
      async let first = environment.prepare(
        appRoot: nil,
        environment: TestPython.environment,
        logger: recorder.logger
      )
      async let second = environment.prepare(
        appRoot: nil,
        environment: TestPython.environment,
        logger: recorder.logger
      )
      let (a, b) = try await (first, second)
      #expect(a == b)
      #expect(recorder.messages(containing: "creating a Python").count == 1)
      #expect(!recorder.messages(containing: "installing Python packages:").isEmpty)

      #expect(a.origin == .managedVirtualEnvironment)
      let venv = try #require(a.virtualEnvironment)
      #expect(venv.hasPrefix(root + "/cache/venvs/py3."))
      #expect(a.executable == venv + "/bin/python")
      #expect(a.environment["VIRTUAL_ENV"] == venv)
      #expect(a.environment["PATH"]?.hasPrefix(venv + "/bin:") == true)
      let key = String(venv.split(separator: "/").last!)
      #expect(TestFiles.read(venv + "/.functions-host-ready") == Array(key.utf8))

      let (ok, prefix) = try await TestPython.run(
        a.executable,
        ["-c", "import sys; print(sys.prefix)"]
      )
      #expect(ok)
      #expect(prefix.trimmingCharacters(in: .whitespacesAndNewlines) == venv)

      // Warm start: no venv, no pip.
      let warm = LogRecorder()
      let c = try await environment.prepare(
        appRoot: nil,
        environment: TestPython.environment,
        logger: warm.logger
      )
      #expect(c == a)
      #expect(warm.messages(containing: "pip").isEmpty)
      #expect(warm.messages(containing: "creating").isEmpty)
      #expect(!warm.messages(containing: "reusing the managed Python environment").isEmpty)

      // An interrupted build (no marker) is thrown away and rebuilt.
      try FileManager.default.removeItem(atPath: venv + "/.functions-host-ready")
      try TestFiles.write("junk", to: venv + "/leftover")
      let rebuilt = LogRecorder()
      let d = try await environment.prepare(
        appRoot: nil,
        environment: TestPython.environment,
        logger: rebuilt.logger
      )
      #expect(d == a)
      #expect(rebuilt.messages(containing: "creating a Python").count == 1)
      #expect(!TestFiles.exists(venv + "/leftover"))
      #expect(TestFiles.exists(venv + "/.functions-host-ready"))
    }
  }

  @Test("the app's requirements.txt is part of the key and is installed")
  func appRequirements() async throws {
    try await TestFiles.withTemporaryDirectory { root in
      let requirements = root + "/worker-requirements.txt"
      try TestFiles.write("# worker\n", to: requirements)
      try TestFiles.write("# app: nothing either\n", to: root + "/app/requirements.txt")
      let environment = PythonEnvironment(
        configuration: .defaults(
          cacheDirectory: root + "/cache",
          workerRequirementsFile: requirements
        )
      )
      let recorder = LogRecorder()
      let withApp = try await environment.prepare(
        appRoot: root + "/app",
        environment: TestPython.environment,
        logger: recorder.logger
      )
      let install = recorder.messages(containing: "installing Python packages:")
      #expect(install.count == 1)
      #expect(install.first?.contains("-r \(root)/app/requirements.txt") == true)
      #expect(withApp.virtualEnvironment?.hasSuffix("-none") == false)
    }
  }

  @Test("the app's .venv is used; missing worker modules are installed into it and logged")
  func appVirtualEnvironment() async throws {
    try await TestFiles.withTemporaryDirectory { root in
      let app = root + "/app"
      let (created, output) = try await TestPython.run(
        TestPython.python3!,
        ["-m", "venv", app + "/.venv"]
      )
      try #require(created, "python3 -m venv failed: \(output)")
      let requirements = root + "/worker-requirements.txt"
      try TestFiles.write("# nothing to install\n", to: requirements)

      // Everything importable: used as is, pip never runs.
      var configuration = PythonEnvironment.Configuration.defaults(
        cacheDirectory: root + "/cache",
        workerRequirementsFile: requirements
      ) { $0.requiredModules = ["json"] }
      let quiet = LogRecorder()
      let python = try await PythonEnvironment(configuration: configuration)
        .prepare(appRoot: app, environment: TestPython.environment, logger: quiet.logger)
      #expect(python.origin == .appVirtualEnvironment)
      #expect(python.executable == app + "/.venv/bin/python")
      #expect(python.virtualEnvironment == app + "/.venv")
      #expect(quiet.messages(containing: "pip").isEmpty)
      #expect(!TestFiles.exists(root + "/cache/venvs"))

      // A missing module: the worker requirements are installed into the app's environment.
      configuration.requiredModules = ["json", "surely_not_a_module_xyz"]
      let loud = LogRecorder()
      _ = try await PythonEnvironment(configuration: configuration)
        .prepare(appRoot: app, environment: TestPython.environment, logger: loud.logger)
      let notice = loud.messages(containing: "cannot import surely_not_a_module_xyz")
      #expect(notice.count == 1)
      #expect(notice.first?.contains("installing the worker requirements") == true)
      #expect(
        loud.messages(
          containing: "installing Python packages: \(app)/.venv/bin/python -m pip install"
        ).count == 1
      )
    }
  }

  @Test("a pip failure names the command and quotes pip's last lines")
  func pipFailure() async throws {
    try await TestFiles.withTemporaryDirectory { root in
      let app = root + "/app"
      // A venv without pip: `python -m pip` fails at once, without network.
      let (created, output) = try await TestPython.run(
        TestPython.python3!,
        ["-m", "venv", "--without-pip", app + "/.venv"]
      )
      try #require(created, "python3 -m venv failed: \(output)")
      let requirements = root + "/worker-requirements.txt"
      try TestFiles.write("# nothing\n", to: requirements)
      let configuration = PythonEnvironment.Configuration.defaults(
        cacheDirectory: root + "/cache",
        workerRequirementsFile: requirements
      ) { $0.requiredModules = ["surely_not_a_module_xyz"] }
      let recorder = LogRecorder()
      let error = await #expect(throws: PythonEnvironmentError.self) {
        _ = try await PythonEnvironment(configuration: configuration)
          .prepare(appRoot: app, environment: TestPython.environment, logger: recorder.logger)
      }
      #expect(error?.code == .pipFailed)
      #expect(error?.message.contains("\(app)/.venv/bin/python -m pip install") == true)
      #expect(error?.message.contains("-r \(requirements)") == true)
      #expect(error?.message.contains("No module named pip") == true)
      #expect(!recorder.messages(containing: "pip: ").isEmpty)
    }
  }

  @Test("an interpreter used as is, without a managed environment")
  func asIs() async throws {
    try await TestFiles.withTemporaryDirectory { root in
      let configuration = PythonEnvironment.Configuration.defaults(
        cacheDirectory: root,
        workerRequirementsFile: root + "/r.txt"
      ) {
        $0.usesManagedVirtualEnvironment = false
        $0.requiredModules = ["json"]
      }
      let python = try await PythonEnvironment(configuration: configuration)
        .prepare(appRoot: nil, environment: TestPython.environment, logger: LogRecorder().logger)
      #expect(python.origin == .interpreter || python.origin == .externalVirtualEnvironment)
      #expect(LocalFiles.isExecutableFile(python.executable))
      #expect(!TestFiles.exists(root + "/venvs"))
    }
  }
}
