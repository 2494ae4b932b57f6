import Foundation
import Testing

@testable import FunctionsHostCore

@Suite struct WorkerDescriptionTests {
  @Test func everyPythonWorkerGetsTheAppsVendoredPackagesOnPythonPath() {
    let stock = WorkerDescription(executable: "python3", arguments: ["-m", "azure_functions_worker"], workerDirectory: "/w")
    let env = stock.processEnvironment(appSettings: ["PYTHONPATH": "/extra"], appDirectory: "/srv/app")
    #expect(env["PYTHONPATH"] == "/srv/app/.python_packages/lib/site-packages:/extra")
    #expect(env["FUNCTIONS_WORKER_RUNTIME"] == "python")
    #expect(env["AzureWebJobsScriptRoot"] == "/srv/app")
    let once = stock.processEnvironment(appSettings: env, appDirectory: "/srv/app")
    #expect(once["PYTHONPATH"] == env["PYTHONPATH"])  // not added twice
    let node = WorkerDescription(executable: "node", workerDirectory: "/w", language: "node")
    #expect(node.processEnvironment(appSettings: [:], appDirectory: "/srv/app")["PYTHONPATH"] == nil)
  }

  @Test func launchArgumentsUseBothDialects() {
    let d = WorkerDescription(executable: "python3", arguments: ["-u"], workerPath: "/w/worker.py", workerDirectory: "/w")
    let args = d.launchArguments(host: "127.0.0.1", port: 5000, workerID: "W", requestID: "R", maxMessageLength: 7)
    #expect(args.prefix(2) == ["-u", "/w/worker.py"])
    for pair in [["--host", "127.0.0.1"], ["--port", "5000"], ["--workerId", "W"], ["--requestId", "R"],
                 ["--grpcMaxMessageLength", "7"], ["--functions-uri", "http://127.0.0.1:5000/"],
                 ["--functions-worker-id", "W"], ["--functions-request-id", "R"],
                 ["--functions-grpc-max-message-length", "7"]] {
      let i = args.firstIndex(of: pair[0])
      #expect(i != nil && args[i! + 1] == pair[1], "\(pair)")
    }
  }

  @Test func aWorkerThatReadsItsIDFromTheEnvironmentDoesNotGetItOnTheCommandLine() {
    var d = WorkerDescription(executable: "python3", workerPath: "/w/worker.py", workerDirectory: "/w")
    #expect(d.launchEnvironment(workerID: "SECRET").isEmpty, "stock workers: stock arguments only")
    d.readsWorkerIDFromEnvironment = true
    let args = d.launchArguments(host: "127.0.0.1", port: 5000, workerID: "SECRET", requestID: "R", maxMessageLength: 7)
    #expect(!args.contains("SECRET"), "\(args)")
    #expect(!args.contains("--workerId") && !args.contains("--functions-worker-id"))
    #expect(args.contains("--functions-uri") && args.contains("--functions-request-id"))
    #expect(d.launchEnvironment(workerID: "SECRET") == ["FUNCTIONS_HOST_WORKER_ID": "SECRET"])
  }

  @Test func commandLineSplitting() throws {
    let d = try WorkerDescription.command(#"python -m "azure_functions_worker" --x 'a b'"#, workerDirectory: "/w")
    #expect(d.executable == "python")
    #expect(d.arguments == ["-m", "azure_functions_worker", "--x", "a b"])
    #expect(throws: FunctionsHostError.self) { try WorkerDescription.command("python 'oops", workerDirectory: "/w") }
  }

  @Test func workerConfigJSON() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wc-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let file = dir.appendingPathComponent("worker.config.json")
    try Data(
      #"{"description": {"language": "python", "defaultExecutablePath": "python3", "defaultWorkerPath": "%V%/{os}/worker.py", "arguments": ["-X", "dev"]}}"#
        .utf8
    ).write(to: file)
    let d = try WorkerDescription.workerConfig(at: file.path, environment: ["V": "3.11"])
    #expect(d.executable == "python3")
    #expect(d.arguments == ["-X", "dev"])
    #expect(d.workerPath == dir.path + "/3.11/LINUX/worker.py")
    #expect(d.workerDirectory == dir.path)
  }

  @Test func backoffGrowsAndIsCapped() {
    let b = Backoff()
    #expect(b.delay(attempt: 1, random: 0) == .milliseconds(100))
    #expect(b.delay(attempt: 3, random: 0) == .milliseconds(400))
    #expect(b.delay(attempt: 50, random: 1) == .seconds(30))
  }
}
