package import Logging
internal import Subprocess
internal import SystemPackage
#if canImport(Glibc)
  internal import Glibc
#endif

/// Runs one worker process to its end through swift-subprocess: pipes its output to the log, reports its
/// start, and tears it down (SIGTERM to its process group, the grace period, SIGKILL) when asked.
///
/// The exit status comes from swift-subprocess (no `waitid` of our own); teardown is its declarative
/// sequence, configured once and used both for `terminate` and for cancellation.
///
/// Every start first takes its descriptors from a ``DescriptorReserve``: when the host is short of
/// descriptors (EMFILE/ENFILE), the start is reported as ``WorkerLifecycle/Event/processFailedToStart(_:)``
/// before swift-subprocess is called (which stops the process on a half-created pipe), and the
/// supervisor retries it with backoff.
package struct SubprocessWorkerRunner: WorkerProcessRunning {
  /// The descriptors kept for starts.
  package let reserve: DescriptorReserve

  /// A runner using the process's reserve (the descriptor table is the process's, so is its reserve).
  package init() {
    self.reserve = DescriptorReserve.process
  }

  /// A runner using `reserve`.
  package init(reserve: DescriptorReserve) {
    self.reserve = reserve
  }

  /// Every worker is started as the leader of a new process group (its pid is the group id).
  package var startsProcessGroups: Bool { true }

  /// Starts the process and returns the event that ends its life: ``WorkerLifecycle/Event/processExited(_:)``
  /// or ``WorkerLifecycle/Event/processFailedToStart(_:)``. `onStart` gets the pid; completing
  /// `terminate` runs the teardown sequence.
  package func run(
    _ launch: WorkerProcessLaunch, slot: Int, logger: Logger, terminate: Promise<Void>,
    onStart: @Sendable (Int32) -> Void
  ) async -> WorkerLifecycle.Event {
    let (executable, arguments, environment) = (launch.executable, launch.arguments, launch.environment)
    let (workingDirectory, terminateGrace) = (launch.workingDirectory, launch.terminateGrace)
    var options = PlatformOptions()
    options.processGroupID = 0
    let teardown: [TeardownStep] = [.gracefulShutDown(toProcessGroup: true, allowedDurationToNextStep: terminateGrace)]
    options.teardownSequence = teardown
    let target: Executable = executable.contains("/") ? .path(FilePath(executable)) : .name(executable)
    let stderrTail = LineTail(limit: 5)
    do {
      try reserve.prepareForSpawn()
    } catch {
      reserve.replenish()
      return .processFailedToStart("\(executable): \(error.message)")
    }
    let reserve = self.reserve
    do {
      let result = try await Subprocess.run(
        target, arguments: Arguments(arguments), environment: .custom(dictionary: environment),
        workingDirectory: FilePath(workingDirectory), platformOptions: options,
        input: .none, output: .sequence, error: .sequence
      ) { execution in
        let pid = execution.processIdentifier.value
        reserve.replenish()
        onStart(pid)
        await withTaskGroup(of: Bool.self) { group in
          group.addTask {
            do {
              for try await line in execution.standardOutput.strings() {
                logger.info("\(line)", metadata: ["worker": "\(slot)", "stream": "stdout"])
              }
            } catch {}
            return true
          }
          group.addTask {
            do {
              for try await line in execution.standardError.strings() {
                stderrTail.append(line)
                logger.log(
                  level: WorkerExit.stderrLevel(line), "\(line)", metadata: ["worker": "\(slot)", "stream": "stderr"])
              }
            } catch {}
            return true
          }
          group.addTask {
            // Returns when teardown is asked for, or throws when the outputs closed first (cancelled).
            guard (try? await terminate.wait()) != nil else { return false }
            await execution.teardown(using: teardown)
            return false
          }
          // Both outputs closed: the process is gone (swift-subprocess ends them when it exits).
          var closed = 0
          while let output = await group.next() {
            if output { closed += 1 }
            if closed == 2 { group.cancelAll() }
          }
        }
        // The process has exited but is not reaped yet, so its process group id cannot be reused: end
        // whatever user code left behind in the group.
        _ = kill(-pid, SIGKILL)
      }
      return .processExited(
        WorkerExit.describe(
          result.terminationStatus, slot: slot, pid: result.processIdentifier.value, stderrTail: stderrTail.lines))
    } catch {
      reserve.replenish()
      return .processFailedToStart("\(executable): \(error)")
    }
  }
}
