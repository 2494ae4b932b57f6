import FunctionsTestSupport
import Foundation
import FunctionsHostCore
import FunctionsPythonWorker
import Logging
import Testing

/// The guide's "Programming model", "Alternate entry point", "Folder structure", "Import behavior" and
/// "Package management" sections, and the errors a user makes there, through the real host and the bundled
/// worker (fixtures `model` and `requirements`).
@Suite(.serialized, .timeLimit(.minutes(5)))
struct ProgrammingModelImportsTests {
  @Test func importsWorkExactlyAsTheGuideStates() async throws {
    try await LiveHost.with(fixture: "model") { live in
      // from . import example; from ..shared_code import …; from __app__ import shared_code;
      // import __app__.shared_code; and .python_packages/lib/site-packages on sys.path.
      let response = try await live.request("GET", "/api/imports")
      #expect(response.status == 200, "\(response.text)")
      let body = try #require(response.json, "\(response.text)")
      #expect(body["example"] as? String == "example")
      #expect(body["helper"] as? String == "HI")
      #expect(body["shared_code"] as? String == "shared_code")
      #expect(body["absolute"] as? String == "shared_code")
      #expect(body["same_module"] as? Bool == true, "relative and absolute imports give one module")
      #expect(body["vendored"] as? String == "vendored")
      #expect(body["package"] as? String == "__app__.imports")

      // `import example` from a function folder does not work; the error says where and what to write.
      let bare = try await live.request("GET", "/api/bare_import")
      #expect(bare.status == 500)
      for fragment in [
        "No module named 'example'", "bare_import/__init__.py, line 3", "from . import example",
      ] {
        #expect(bare.text.contains(fragment), "\(fragment) in \(bare.text)")
      }
    }
  }

  @Test func aSyntaxErrorFailsOnlyThatFunctionWithFileLineAndMessage() async throws {
    try await LiveHost.with(fixture: "model") { live in
      let error = try #require(live.report.loadErrors["syntax_error"])
      #expect(error.contains("SyntaxError"), "\(error)")
      #expect(error.contains("syntax_error/__init__.py, line 5"), "\(error)")
      let logged = await live.logs.first(timeout: .seconds(30)) {
        $0.level == .error && $0.message.contains("failed to load function 'syntax_error'")
      }
      #expect(logged?.message.contains("syntax_error/__init__.py, line 5") == true, "\(String(describing: logged))")
      let response = try await live.request("GET", "/api/syntax_error")
      #expect(response.status == 500)
      #expect(response.text.contains("SyntaxError") && response.text.contains("line 5"), "\(response.text)")
      // Every other function loaded and serves.
      #expect(Set(live.report.loadErrors.keys) == ["syntax_error", "bare_import", "typed_mismatch", "missing_param"])
      #expect(try await live.request("GET", "/api/imports").status == 200)
    }
  }

  @Test func mainInInitByDefaultAndScriptFileWithEntryPoint() async throws {
    try await LiveHost.with(fixture: "model") { live in
      let custom = try await live.request("GET", "/api/custom_entry")
      #expect(custom.text == "custom entry point")
      let byDefault = try await live.request("GET", "/api/outputs?body=main")
      #expect(byDefault.text == "main")
    }
  }

  @Test func appRequirementsAreInstalledByTheHostAndAgainWhenTheyChange() async throws {
    let environment = ProcessInfo.processInfo.environment
    let cache = environment["FUNCTIONS_HOST_TEST_CACHE"] ?? "\(TestPython.packageRoot)/.build/integration-cache"
    let bundled = try BundledPythonWorker.materialize(into: cache)
    let python = try await TestPython.prepared().worker.executable
    let app = FileManager.default.temporaryDirectory.appendingPathComponent("fh-requirements-\(UUID().uuidString)").path
    try FileManager.default.copyItem(
      atPath: "\(TestPython.packageRoot)/Tests/FunctionsIntegrationTests/Fixtures/requirements", toPath: app)
    defer { try? FileManager.default.removeItem(atPath: app) }

    var environments: [String] = []
    for version in ["1.0", "2.0"] {
      let wheel = try Wheel.build(name: "guide_req_pkg", version: version, into: "\(app)/wheels", python: python)
      try "./wheels/\(wheel)\n".write(toFile: "\(app)/requirements.txt", atomically: true, encoding: .utf8)
      let prepared = try await PythonEnvironment(
        configuration: .defaults(cacheDirectory: cache, workerRequirementsFile: bundled.requirementsFile) {
          $0.usesAppVirtualEnvironment = false
        }
      ).prepare(appRoot: app, environment: environment, logger: LogCapture().logger())
      environments.append(prepared.virtualEnvironment ?? "")
      let worker = WorkerDescription(
        executable: prepared.executable, workerPath: bundled.workerScript, workerDirectory: bundled.directory,
        environment: prepared.environment)
      try await LiveHost.serving(try await LiveHost.start(appAt: app, worker: worker)) { live in
        let response = try await live.request("GET", "/api/version")
        #expect(response.status == 200, "\(response.text)")
        #expect(response.text == version, "requirements.txt with guide_req_pkg \(version)")
      }
    }
    #expect(environments[0] != environments[1], "a changed requirements.txt gets an environment of its own")
  }
}

/// Builds a minimal pure-Python wheel (a zip with a package and its dist-info) with the test's interpreter.
enum Wheel {
  static func build(name: String, version: String, into directory: String, python: String) throws -> String {
    let script = """
      import base64, hashlib, os, sys, zipfile
      name, version, out = sys.argv[1:4]
      files = {f"{name}/__init__.py": f'VERSION = "{version}"\\n',
               f"{name}-{version}.dist-info/METADATA":
                   f"Metadata-Version: 2.1\\nName: {name}\\nVersion: {version}\\n",
               f"{name}-{version}.dist-info/WHEEL":
                   "Wheel-Version: 1.0\\nGenerator: functions-host-tests\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n"}
      record = f"{name}-{version}.dist-info/RECORD"
      lines = []
      for path, text in files.items():
          digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
          lines.append(f"{path},sha256={digest},{len(text.encode())}")
      files[record] = "\\n".join(lines + [f"{record},,"]) + "\\n"
      os.makedirs(out, exist_ok=True)
      wheel = f"{name}-{version}-py3-none-any.whl"
      with zipfile.ZipFile(os.path.join(out, wheel), "w") as z:
          for path, text in files.items():
              z.writestr(path, text)
      print(wheel)
      """
    let process = Process()
    process.executableURL = URL(fileURLWithPath: python)
    process.arguments = ["-c", script, name, version, directory]
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
      throw RawHTTPClient.Failure(description: "building the test wheel failed (exit \(process.terminationStatus))")
    }
    return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
  }
}
