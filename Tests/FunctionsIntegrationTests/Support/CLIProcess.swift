import Foundation
import Synchronization

/// The built `functions-host` binary run as a child process, with its stdout and stderr
/// collected, so tests can wait for a line or for the exit instead of sleeping.
final class CLIProcess: @unchecked Sendable {
  private struct State {
    var stdout = ""
    var stderr = ""
    var terminationStatus: Int32? = nil
    var openPipes = 2
    /// The exit status once the process ended and both pipes reached end of file.
    var exitStatus: Int32? { openPipes == 0 ? terminationStatus : nil }
    var waiters:
      [(
        id: Int, condition: @Sendable (State) -> Bool,
        continuation: CheckedContinuation<Bool, Never>
      )] = []
    var nextID = 0
  }

  private let process = Process()  // only touched before run() and through its own thread-safe API
  private let state = Mutex(State())
  private let echo = ProcessInfo.processInfo.environment["FUNCTIONS_HOST_TEST_VERBOSE"] != nil

  /// The binary next to the test bundle (`swift build --build-tests` builds it), or
  /// `.build/debug/functions-host`.
  static var binary: String? {
    let candidates = [
      URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        .appendingPathComponent("functions-host").path,
      "\(TestPython.packageRoot)/.build/debug/functions-host",
    ]
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
  }

  /// Starts `functions-host <arguments>`.
  init(binary: String, arguments: [String]) throws {
    process.executableURL = URL(fileURLWithPath: binary)
    process.arguments = arguments
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    for (pipe, isStdout) in [(out, true), (err, false)] {
      pipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
        let data = handle.availableData
        if data.isEmpty {
          handle.readabilityHandler = nil
          self?.update { $0.openPipes -= 1 }
          return
        }
        self?.update { s in
          if isStdout {
            s.stdout += String(decoding: data, as: UTF8.self)
          } else {
            s.stderr += String(decoding: data, as: UTF8.self)
          }
        }
        if self?.echo == true { FileHandle.standardError.write(data) }
      }
    }
    process.terminationHandler = { [weak self] process in
      self?.update { $0.terminationStatus = process.terminationStatus }
    }
    try process.run()
  }

  /// Everything written to stdout so far.
  var stdout: String { state.withLock { $0.stdout } }
  /// Everything written to stderr so far.
  var stderr: String { state.withLock { $0.stderr } }
  /// The exit status, once exited.
  var exitStatus: Int32? { state.withLock { $0.exitStatus } }

  /// The process id.
  var pid: Int32 { process.processIdentifier }

  /// Waits until stderr satisfies `condition`; `false` when the process exited first or after
  /// `timeout` (a failure guard, not a pause).
  func waitForStderr(timeout: Duration = .seconds(120), until condition: @escaping @Sendable (String) -> Bool) async -> Bool {
    await wait(timeout: timeout) { condition($0.stderr) || $0.exitStatus != nil }
    return condition(stderr)
  }

  /// Sends SIGTERM (graceful shutdown).
  func terminate() {
    if process.isRunning { Foundation.kill(process.processIdentifier, SIGTERM) }
  }

  /// Waits until stdout contains `text`; `false` when the process exited first or after
  /// `timeout` (a failure guard, not a pause).
  func waitForStdout(containing text: String, timeout: Duration = .seconds(120)) async -> Bool {
    await wait(timeout: timeout) { $0.stdout.contains(text) || $0.exitStatus != nil }
    return stdout.contains(text)
  }

  /// Waits for the exit and returns the status; `nil` after `timeout`.
  func waitForExit(timeout: Duration = .seconds(120)) async -> Int32? {
    await wait(timeout: timeout) { $0.exitStatus != nil }
    return exitStatus
  }

  /// Kills the process if it still runs (test clean-up).
  func kill() {
    if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
  }

  private func update(_ change: (inout State) -> Void) {
    let ready = state.withLock { s -> [CheckedContinuation<Bool, Never>] in
      change(&s)
      let snapshot = s
      var fired: [CheckedContinuation<Bool, Never>] = []
      s.waiters.removeAll { waiter in
        guard waiter.condition(snapshot) else { return false }
        fired.append(waiter.continuation)
        return true
      }
      return fired
    }
    for continuation in ready { continuation.resume(returning: true) }
  }

  @discardableResult
  private func wait(
    timeout: Duration,
    until condition: @escaping @Sendable (State) -> Bool
  ) async -> Bool {
    let id = state.withLock { s in
      s.nextID += 1
      return s.nextID
    }
    return await withTaskGroup(of: Bool.self) { group in
      group.addTask {
        await withCheckedContinuation { continuation in
          let done = self.state.withLock { s -> Bool in
            if condition(s) { return true }
            s.waiters.append((id, condition, continuation))
            return false
          }
          if done { continuation.resume(returning: true) }
        }
      }
      group.addTask {
        try? await Task.sleep(for: timeout)
        self.cancelWaiter(id)
        return false
      }
      let result = await group.next() ?? false
      group.cancelAll()
      self.cancelWaiter(id)
      return result
    }
  }

  private func cancelWaiter(_ id: Int) {
    let waiter = state.withLock { s -> CheckedContinuation<Bool, Never>? in
      guard let i = s.waiters.firstIndex(where: { $0.id == id }) else { return nil }
      return s.waiters.remove(at: i).continuation
    }
    waiter?.resume(returning: false)
  }
}
