import Foundation
import FunctionsConformance
import Logging
import Synchronization

@testable import FunctionsHostCore

/// Runs the conformance kit's ``ScriptedWorker`` in-process as a host's "worker process": no Python, no
/// process, the real gRPC EventStream on loopback.
struct ScriptedWorkerRunner: WorkerProcessRunning {
  /// The mode of the worker started for a slot, by how many workers were started before.
  var mode: @Sendable (_ slot: Int, _ start: Int) -> ScriptedWorker.Mode
  private let starts = Counter()
  private static let pids = Atomic<Int32>(4_000_000)

  init(mode: @escaping @Sendable (_ slot: Int, _ start: Int) -> ScriptedWorker.Mode) {
    self.mode = mode
  }

  init(_ mode: ScriptedWorker.Mode) { self.init { _, _ in mode } }

  /// How many workers were started.
  var started: Int { starts.value }

  func run(
    _ launch: WorkerProcessLaunch, slot: Int, logger: Logger, terminate: Promise<Void>,
    onStart: @Sendable (Int32) -> Void
  ) async -> WorkerLifecycle.Event {
    guard let target = try? WorkerLaunch(arguments: launch.arguments) else {
      return .processFailedToStart("launch arguments without host, port or worker id")
    }
    let pid = Self.pids.add(1, ordering: .relaxed).newValue
    let worker = ScriptedWorker(mode: mode(slot, starts.next()))
    onStart(pid)
    enum End { case exited(Int32), terminated }
    let end: End = await withTaskGroup(of: End?.self) { group in
      group.addTask {
        do {
          try await worker.run(target)
          return .exited(0)
        } catch is ScriptedWorkerCrash {
          return .exited(3)
        } catch {
          return .exited(1)
        }
      }
      group.addTask {
        guard (try? await terminate.wait()) != nil else { return nil }
        return .terminated
      }
      // nil: the terminate waiter was cancelled (the host's task ended first); then the worker's own end.
      var first: End? = nil
      while first == nil, let next = await group.next() { first = next }
      group.cancelAll()
      return first ?? .terminated
    }
    switch end {
    case .exited(let code): return .processExited("worker \(slot) (pid \(pid)) exited with code \(code)")
    case .terminated: return .processExited("worker \(slot) (pid \(pid)) was killed by signal 15 (SIGTERM)")
    }
  }

  /// A thread-safe counter.
  final class Counter: Sendable {
    private let count = Atomic<Int>(0)
    func next() -> Int { count.add(1, ordering: .relaxed).oldValue }
    var value: Int { count.load(ordering: .relaxed) }
  }
}

/// A function.json app in a temporary folder with the functions the scripted worker emulates.
struct ScriptedApp {
  let directory: String

  init(functions: [String] = ["echo", "slow"]) throws {
    directory = NSTemporaryDirectory() + "scripted-app-\(UUID().uuidString)"
    let fm = FileManager.default
    try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
    try #"{"version": "2.0"}"#.write(toFile: "\(directory)/host.json", atomically: true, encoding: .utf8)
    for name in functions {
      try fm.createDirectory(atPath: "\(directory)/\(name)", withIntermediateDirectories: true)
      try "".write(toFile: "\(directory)/\(name)/__init__.py", atomically: true, encoding: .utf8)
      try #"""
        {"scriptFile": "__init__.py", "bindings": [
          {"type": "httpTrigger", "direction": "in", "name": "req", "authLevel": "anonymous"},
          {"type": "http", "direction": "out", "name": "$return"}]}
        """#.write(toFile: "\(directory)/\(name)/function.json", atomically: true, encoding: .utf8)
    }
  }

  func remove() { try? FileManager.default.removeItem(atPath: directory) }
}
