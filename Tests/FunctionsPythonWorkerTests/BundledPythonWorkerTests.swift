import Foundation
import FunctionsPythonWorker
import Testing

@Suite("BundledPythonWorker")
struct BundledPythonWorkerTests {
  @Test("the manifest lists every embedded file once, worker.py and requirements.txt first")
  func manifest() {
    let paths = BundledPythonWorker.files.map(\.relativePath)
    #expect(paths.first == "worker.py")
    #expect(paths.contains("requirements.txt"))
    #expect(Set(paths).count == paths.count)
    #expect(
      Set(paths)
        == [
          "worker.py", "requirements.txt", "FunctionRpc_pb2.py", "FunctionRpc_pb2_grpc.py",
          "ClaimsIdentityRpc_pb2.py", "NullableTypes_pb2.py",
          "functions_host_worker/__init__.py", "functions_host_worker/constants.py",
          "functions_host_worker/cli.py", "functions_host_worker/transport.py",
          "functions_host_worker/h2stream.py", "functions_host_worker/h2client.py",
          "functions_host_worker/dispatcher.py", "functions_host_worker/runner.py",
          "functions_host_worker/loader.py", "functions_host_worker/bindings.py",
          "functions_host_worker/logs.py", "functions_host_worker/wiring.py",
          "functions_host_worker/proxy.py", "functions_host_worker/streaming.py",
        ]
    )
    #expect(BundledPythonWorker.files.allSatisfy { !$0.bytes.isEmpty })
  }

  @Test("every Python file in Resources/ is bundled (a file left out of Package.swift is never run)")
  func everyResourceIsBundled() throws {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    let resources = url.appendingPathComponent("Sources/FunctionsPythonWorker/Resources").path
    let onDisk = try FileManager.default.subpathsOfDirectory(atPath: resources).filter {
      $0.hasSuffix(".py") && !$0.contains("__pycache__")
    }
    let bundled = Set(BundledPythonWorker.files.map(\.relativePath))
    #expect(Set(onDisk).subtracting(bundled).isEmpty, "not bundled: \(Set(onDisk).subtracting(bundled).sorted())")
  }

  @Test("materializing twice gives the same directory and rewrites nothing")
  func materializeTwice() async throws {
    try await TestFiles.withTemporaryDirectory { cache in
      let first = try BundledPythonWorker.materialize(into: cache)
      let signature = LocalFiles.statSignature(first.workerScript)
      let second = try BundledPythonWorker.materialize(into: cache)
      #expect(first == second)
      #expect(first.directory == cache + "/worker-" + BundledPythonWorker.contentHash)
      #expect(first.workerScript == first.directory + "/worker.py")
      #expect(first.requirementsFile == first.directory + "/requirements.txt")
      #expect(LocalFiles.statSignature(first.workerScript) == signature)
      // Only the worker directory: no temporary or stale leftovers.
      #expect(TestFiles.list(cache) == ["worker-" + BundledPythonWorker.contentHash])
    }
  }

  @Test("materialized files are byte-identical to the embedded bytes")
  func bytesIdentical() async throws {
    try await TestFiles.withTemporaryDirectory { cache in
      let location = try BundledPythonWorker.materialize(into: cache)
      for file in BundledPythonWorker.files {
        #expect(TestFiles.read(location.directory + "/" + file.relativePath) == file.bytes)
      }
      let package = "functions_host_worker/"
      #expect(
        Set(TestFiles.list(location.directory))
          == Set(BundledPythonWorker.files.map { String($0.relativePath.split(separator: "/")[0]) })
      )
      #expect(
        Set(TestFiles.list(location.directory + "/" + package))
          == Set(
            BundledPythonWorker.files.compactMap {
              $0.relativePath.hasPrefix(package)
                ? String($0.relativePath.dropFirst(package.count)) : nil
            }
          )
      )
    }
  }

  @Test("a fresh, not yet existing cache directory works")
  func freshDirectory() async throws {
    try await TestFiles.withTemporaryDirectory { root in
      let cache = root + "/nested/cache/functions-host"
      let location = try BundledPythonWorker.materialize(into: cache)
      #expect(TestFiles.read(location.workerScript) == BundledPythonWorker.files[0].bytes)
    }
  }

  @Test("a damaged copy is replaced", arguments: ["delete", "edit"])
  func damagedCopyIsRepaired(damage: String) async throws {
    try await TestFiles.withTemporaryDirectory { cache in
      let location = try BundledPythonWorker.materialize(into: cache)
      if damage == "delete" {
        try FileManager.default.removeItem(atPath: location.directory + "/FunctionRpc_pb2.py")
      } else {
        try TestFiles.write("print('edited')\n", to: location.workerScript)
      }
      let again = try BundledPythonWorker.materialize(into: cache)
      #expect(again == location)
      for file in BundledPythonWorker.files {
        #expect(TestFiles.read(location.directory + "/" + file.relativePath) == file.bytes)
      }
      #expect(TestFiles.list(cache) == ["worker-" + BundledPythonWorker.contentHash])
    }
  }

  @Test("concurrent materializations agree and leave no temporary directories")
  func concurrent() async throws {
    try await TestFiles.withTemporaryDirectory { cache in
      let locations = try await withThrowingTaskGroup(of: BundledWorkerLocation.self) { group in
        for _ in 0 ..< 8 {
          group.addTask { try BundledPythonWorker.materialize(into: cache) }
        }
        return try await group.reduce(into: []) { $0.append($1) }
      }
      #expect(Set(locations).count == 1)
      #expect(TestFiles.list(cache) == ["worker-" + BundledPythonWorker.contentHash])
    }
  }

  @Test("the content hash is stable FNV-1a 64 and follows the contents")
  func contentHash() async throws {
    // Published FNV-1a 64 test vectors.
    #expect(ContentHash.hex(of: []) == "cbf29ce484222325")
    #expect(ContentHash.hex(of: Array("a".utf8)) == "af63dc4c8601ec8c")
    #expect(ContentHash.hex(of: Array("foobar".utf8)) == "85944171f73967e8")
    #expect(BundledPythonWorker.contentHash.count == 16)

    try await TestFiles.withTemporaryDirectory { cache in
      let files = [
        BundledPythonWorker.File(relativePath: "sub/dir/a.py", bytes: Array("x = 1\n".utf8))
      ]
      let location = try BundledPythonWorker.materialize(files, contentHash: "test", into: cache)
      #expect(TestFiles.read(location.directory + "/sub/dir/a.py") == Array("x = 1\n".utf8))
    }
  }

  @Test(
    "worker.py compiles with python3 -m py_compile",
    .enabled(if: TestPython.isAvailable, "python3 is not on PATH; cannot byte-compile worker.py")
  )
  func pyCompile() async throws {
    try await TestFiles.withTemporaryDirectory { cache in
      let location = try BundledPythonWorker.materialize(into: cache)
      for file in BundledPythonWorker.files where file.relativePath.hasSuffix(".py") {
        let (ok, output) = try await TestPython.run(
          TestPython.python3!,
          ["-m", "py_compile", location.directory + "/" + file.relativePath]
        )
        #expect(ok, "py_compile \(file.relativePath): \(output)")
      }
    }
  }

  @Test(
    "default cache directory",
    arguments: [
      (["XDG_CACHE_HOME": "/xdg", "HOME": "/home/ada"], "/xdg/functions-host"),
      (["XDG_CACHE_HOME": "relative", "HOME": "/home/ada"], "/home/ada/.cache/functions-host"),
      (["HOME": "/home/ada/"], "/home/ada/.cache/functions-host"),
    ]
  )
  func defaultCacheDirectory(environment: [String: String], expected: String) {
    #expect(BundledPythonWorker.defaultCacheDirectory(environment: environment) == expected)
  }

  @Test("default cache directory without HOME falls back to /tmp")
  func defaultCacheDirectoryFallback() {
    #expect(
      BundledPythonWorker.defaultCacheDirectory(environment: [:]).hasPrefix("/tmp/functions-host-")
    )
  }
}
