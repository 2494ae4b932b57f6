public import FunctionsHostCore

/// The worker a conformance run checks: a process started with the standard launch arguments, or a
/// Swift closure that connects by itself (used for in-process fakes such as ``ScriptedWorker``).
///
/// ```swift
/// let stock = try WorkerUnderTest.command("python -m azure_functions_worker", name: "microsoft")
/// let fake = WorkerUnderTest.scripted(ScriptedWorker(mode: .conforming))
/// ```
public struct WorkerUnderTest: Sendable {
  enum Kind: Sendable {
    case process(WorkerDescription)
    case inProcess(@Sendable (WorkerLaunch) async throws -> Void)
  }

  /// A name for reports.
  public var name: String
  let kind: Kind

  /// A worker process described like the host describes its workers. The launch arguments
  /// (`--host … --functions-grpc-max-message-length …`) are appended by the kit.
  public static func process(_ description: WorkerDescription, name: String? = nil) -> WorkerUnderTest {
    WorkerUnderTest(name: name ?? description.executable, kind: .process(description))
  }

  /// A worker process from a command line, e.g. `python -m azure_functions_worker`.
  ///
  /// - Throws: ``ConformanceError`` `.configuration` when the command is empty or badly quoted.
  public static func command(_ commandLine: String, name: String? = nil) throws -> WorkerUnderTest {
    do {
      let description = try WorkerDescription.command(commandLine, workerDirectory: "")
      return .process(description, name: name ?? commandLine)
    } catch {
      throw ConformanceError(code: .configuration, message: "bad worker command '\(commandLine)'", cause: error)
    }
  }

  /// A worker run inside this process: `run` must connect to `launch.host:launch.port` and speak the protocol.
  /// Returning (or throwing) counts as the worker exiting.
  public static func inProcess(name: String, run: @escaping @Sendable (WorkerLaunch) async throws -> Void)
    -> WorkerUnderTest
  {
    WorkerUnderTest(name: name, kind: .inProcess(run))
  }

  /// A ``ScriptedWorker`` run in-process.
  public static func scripted(_ worker: ScriptedWorker) -> WorkerUnderTest {
    .inProcess(name: "scripted(\(worker.mode.rawValue))") { launch in try await worker.run(launch) }
  }
}
