import Foundation
import FunctionsHostCore
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// The real CLI with a small open-file limit (`ulimit -n` in a shell): with its descriptor table full
/// of idle connections, worker restarts fail cleanly (logged, retried with backoff) instead of
/// stopping the host inside swift-subprocess, the file watcher does not mistake EMFILE for a change,
/// and everything recovers once descriptors are free again.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct ResourceLimitTests {
  static let limit = 160

  /// Connections opened (non-blocking) to `port` and held until ``close()``.
  final class IdleConnections: @unchecked Sendable {
    private(set) var fds: [Int32] = []
    func open(_ count: Int, port: Int) {
      for _ in 0..<count {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) {
          $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        fds.append(fd)
      }
    }
    func close() {
      for fd in fds { Glibc.close(fd) }
      fds = []
    }
  }

  static func openDescriptors(of pid: Int32) -> Int {
    (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? 0
  }

  /// The pids of "worker N started pid=P" lines, in order.
  static func workerPIDs(_ stderr: String) -> [Int32] {
    stderr.split(separator: "\n").compactMap { line -> Int32? in
      guard line.contains(" started"), line.contains("worker "), let r = line.range(of: "pid=") else { return nil }
      return Int32(line[r.upperBound...].prefix { $0.isNumber })
    }
  }

  @Test func aFullDescriptorTableNeitherCrashesTheHostNorFakesAppChanges() async throws {
    let binary = try #require(CLIProcess.binary, "build functions-host first (swift build --build-tests)")
    let scratch = try HTTPHostFeaturesTests.Scratch(fixture: "../stuck")
    defer { scratch.remove() }
    let python = try await TestPython.prepared().worker.executable
    let cli = try CLIProcess(
      binary: "/bin/sh",
      arguments: [
        "-c", "ulimit -n \(Self.limit) && exec \"$0\" \"$@\"", binary, "start", "--script-root", scratch.app,
        "--port", "0", "--python", python, "--cache-directory", scratch.cache, "--no-storage-endpoints",
        "--workers", "1",
      ])
    defer { cli.kill() }
    #expect(await cli.waitForStdout(containing: "http://127.0.0.1:"), "stderr:\n\(cli.stderr)")
    let port = try HTTPHostFeaturesTests().bannerPort(cli.stdout)
    #expect(cli.stderr.contains("open-file limit"), "the limit is logged at start:\n\(cli.stderr)")
    let first = try await RawHTTPClient.send(port: port, method: "GET", path: "/api/pid")
    #expect(first.status == 200)

    // Fill the host's descriptor table with idle connections.
    let idle = IdleConnections()
    idle.open(Self.limit + 100, port: port)
    let deadline = ContinuousClock.now + .seconds(30)
    while Self.openDescriptors(of: cli.pid) < Self.limit - 1 && ContinuousClock.now < deadline {
      try await Task.sleep(for: .milliseconds(50))  // waiting on another process's table: no event to wait on
    }
    #expect(Self.openDescriptors(of: cli.pid) >= Self.limit - 1, "the table is full")

    // Kill the worker until a restart finds no descriptors (the reserve covers the first one).
    var refused = false
    for _ in 0..<5 where !refused {
      guard let pid = Self.workerPIDs(cli.stderr).last else { break }
      let before = Self.workerPIDs(cli.stderr).count
      kill(pid, SIGKILL)
      _ = await cli.waitForStderr(timeout: .seconds(30)) {
        $0.contains("not enough free file descriptors") || Self.workerPIDs($0).count > before
      }
      refused = cli.stderr.contains("not enough free file descriptors")
    }
    #expect(refused, "a restart was refused for lack of descriptors:\n\(cli.stderr.suffix(4000))")
    #expect(cli.exitStatus == nil, "the host is still running:\n\(cli.stderr.suffix(4000))")
    #expect(await cli.waitForStderr(timeout: .seconds(30)) { $0.contains("will be restarted in") })

    // Descriptors free again: the host recovers and serves with a new worker.
    let readyBefore = cli.stderr.components(separatedBy: "is ready").count
    idle.close()
    let recovered = await cli.waitForStderr(timeout: .seconds(90)) {
      $0.components(separatedBy: "is ready").count > readyBefore
    }
    #expect(recovered, "a worker became ready again:\n\(cli.stderr.suffix(4000))")
    let again = try await RawHTTPClient.send(port: port, method: "GET", path: "/api/pid")
    #expect(again.status == 200 && again.text != first.text, "\(again.status) \(again.text)")
    #expect(cli.exitStatus == nil)
    // EMFILE was never taken for a change of the app.
    #expect(!cli.stderr.contains("hot reload: change detected"), "\(cli.stderr.suffix(4000))")
    #expect(!cli.stderr.contains("host.json: not found"))
    cli.terminate()
    #expect(await cli.waitForExit(timeout: .seconds(60)) != nil)
  }
}
