import FunctionsTestSupport
import Foundation
import FunctionsHostCore
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// The real CLI started with a small open-file limit (`ulimit` in a shell), as on a desktop: it raises
/// its soft limit to the hard limit; a thousand idle connections do not exhaust its descriptors; a worker
/// killed meanwhile comes back; the file watcher never takes the pressure for a change of the app; and
/// it serves again once the idle connections go.
///
/// (A table filled to the last descriptor cannot be tested live: libdispatch stops the process when it
/// cannot open `/proc/self/task/…/stat`. Refused starts are tested with an injected EMFILE in
/// `DescriptorReserveTests`; every listener must therefore keep its connections below the limit.)
@Suite(.serialized, .timeLimit(.minutes(5)))
struct ResourceLimitTests {
  static let soft = 100
  static let hard = 400

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

  /// The soft and hard "Max open files" of a process.
  static func openFileLimits(of pid: Int32) -> (soft: Int, hard: Int)? {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/limits", encoding: .utf8),
      let line = text.split(separator: "\n").first(where: { $0.hasPrefix("Max open files") })
    else { return nil }
    let numbers = line.split(separator: " ").compactMap { Int($0) }
    return numbers.count >= 2 ? (numbers[0], numbers[1]) : nil
  }

  @Test func idleConnectionsAndAWorkerCrashAtALowOpenFileLimit() async throws {
    let binary = try #require(CLIProcess.binary, "build functions-host first (swift build --build-tests)")
    let scratch = try HTTPHostFeaturesTests.Scratch(fixture: "../stuck")
    defer { scratch.remove() }
    let python = try await TestPython.prepared().worker.executable
    let cli = try CLIProcess(
      binary: "/bin/sh",
      arguments: [
        "-c", "ulimit -Sn \(Self.soft) && ulimit -Hn \(Self.hard) && exec \"$0\" \"$@\"", binary, "start",
        "--script-root", scratch.app, "--port", "0", "--python", python, "--cache-directory", scratch.cache,
        "--no-storage-endpoints", "--workers", "1",
      ])
    defer { cli.kill() }
    #expect(await cli.waitForStdout(containing: "http://127.0.0.1:"), "stderr:\n\(cli.stderr)")
    let port = try HTTPHostFeaturesTests().bannerPort(cli.stdout)
    let limits = try #require(Self.openFileLimits(of: cli.pid))
    #expect(limits.soft == Self.hard && limits.hard == Self.hard, "the soft limit was raised: \(limits)")
    #expect(cli.stderr.contains("raised the open-file limit from \(Self.soft) to \(Self.hard)"), "\(cli.stderr)")
    let first = try await RawHTTPClient.send(port: port, method: "GET", path: "/api/pid")
    #expect(first.status == 200)

    // A thousand idle connections: the front door stops accepting well before the table is full.
    let idle = IdleConnections()
    idle.open(1000, port: port)
    defer { idle.close() }
    let workers = Self.workerPIDs(cli.stderr)
    let worker = try #require(workers.last)
    kill(worker, SIGKILL)
    let restarted = await cli.waitForStderr(timeout: .seconds(60)) {
      $0.components(separatedBy: "is ready").count > 2
    }
    #expect(restarted, "the killed worker came back:\n\(cli.stderr.suffix(4000))")
    #expect(Self.openDescriptors(of: cli.pid) < Self.hard - 16, "descriptors are left for the runtime")
    #expect(cli.exitStatus == nil, "the host is still running:\n\(cli.stderr.suffix(4000))")

    // The idle connections go: the host serves again, from the new worker.
    idle.close()
    let again = try await RawHTTPClient.send(port: port, method: "GET", path: "/api/pid")
    #expect(again.status == 200 && again.text != first.text, "\(again.status) \(again.text)")
    #expect(cli.exitStatus == nil)
    #expect(!cli.stderr.contains("hot reload: change detected"), "\(cli.stderr.suffix(4000))")
    #expect(!cli.stderr.contains("host.json: not found"))
    cli.terminate()
    #expect(await cli.waitForExit(timeout: .seconds(60)) != nil)
  }
}
