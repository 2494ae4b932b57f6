internal import Foundation
internal import FunctionsHostCore
internal import Logging
internal import Subprocess
internal import SystemPackage
#if canImport(Glibc)
  internal import Glibc
#endif

/// Runs one worker process for a session until it exits or the session is cancelled (then SIGKILL to its
/// process group). Independent of the host's supervisor on purpose.
enum WorkerProcess {
  static func run(
    _ description: WorkerDescription, launch: WorkerLaunch, appDirectory: String, environment: [String: String],
    output: LineTail, logger: Logger, isStopping: @escaping @Sendable () -> Bool
  ) async -> WorkerExit {
    let arguments = description.launchArguments(
      host: launch.host, port: launch.port, workerID: launch.workerID, requestID: launch.requestID,
      maxMessageLength: launch.maxMessageLength)
    let env = description.processEnvironment(appSettings: environment, appDirectory: appDirectory)
      .merging(description.launchEnvironment(workerID: launch.workerID)) { _, launch in launch }

    var options = PlatformOptions()
    options.processGroupID = 0
    options.teardownSequence = []
    var path = description.executable
    if path.contains("/") && !path.hasPrefix("/") {
      path = URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)).path
    }
    let executable: Executable = path.contains("/") ? .path(FilePath(path)) : .name(path)
    logger.debug("starting worker: \(([description.executable] + arguments).joined(separator: " "))")
    do {
      let result = try await Subprocess.run(
        executable, arguments: Arguments(arguments), environment: .custom(dictionary: env),
        workingDirectory: FilePath(appDirectory), platformOptions: options,
        input: .none, output: .sequence, error: .sequence
      ) { execution in
        let pid = execution.processIdentifier.value
        await withTaskCancellationHandler {
          await withTaskGroup(of: Void.self) { group in
            group.addTask {
              do {
                for try await line in execution.standardOutput.strings() {
                  output.append(line)
                  logger.debug("worker stdout: \(line)")
                }
              } catch {}
            }
            group.addTask {
              do {
                for try await line in execution.standardError.strings() {
                  output.append(line)
                  logger.debug("worker stderr: \(line)")
                }
              } catch {}
            }
          }
        } onCancel: {
          _ = kill(-pid, SIGKILL)
          _ = kill(pid, SIGKILL)
        }
        // Whatever the worker left behind in its process group goes with it.
        _ = kill(-pid, SIGKILL)
      }
      return WorkerExit(description: describe(result.terminationStatus), stoppedByKit: isStopping())
    } catch {
      return WorkerExit(
        description: "could not be started (\(description.executable)): \(error)", stoppedByKit: isStopping())
    }
  }

  static func describe(_ status: TerminationStatus) -> String {
    switch status {
    case .exited(let code): return "exited with code \(code)"
    case .signaled(let signal): return "was killed by signal \(signal)"
    }
  }
}
