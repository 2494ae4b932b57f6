import Foundation
import NIOCore
import Testing

@testable import FunctionsHostCore

/// The verifier on a fake `/proc` tree in a temporary folder: the launched worker is pid 100 (leader of
/// group 100), its child 101 is in group 100, and 200 is a stranger's process in group 200.
@Suite struct WorkerPeerVerifierTests {
  /// The host listens on 127.0.0.1:43535 (0xAA0F); connections come from ports 50000 (held by the
  /// worker), 50001 (its child), 50002 (the stranger); 50003 has no row.
  static let tcp = """
      sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
       0: 0100007F:AA0F 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 500 1 0 100 0 0 10 0
       1: 0100007F:C350 0100007F:AA0F 01 00000000:00000000 00:00000000 00000000  1000        0 5001 1 0 20 4 30 10 -1
       2: 0100007F:C351 0100007F:AA0F 01 00000000:00000000 00:00000000 00000000  1000        0 5002 1 0 20 4 30 10 -1
       3: 0100007F:C352 0100007F:AA0F 01 00000000:00000000 00:00000000 00000000  1001        0 5003 1 0 20 4 30 10 -1
    """

  struct FakeProc {
    let root: String

    init(tcp: String? = WorkerPeerVerifierTests.tcp, workerFDsReadable: Bool = true) throws {
      root = NSTemporaryDirectory() + "fake-proc-\(UUID().uuidString)"
      let fm = FileManager.default
      try fm.createDirectory(atPath: "\(root)/net", withIntermediateDirectories: true)
      if let tcp { try tcp.write(toFile: "\(root)/net/tcp", atomically: true, encoding: .utf8) }
      try process(100, group: 100, parent: 42, links: workerFDsReadable ? ["/dev/null", "pipe:[9]", "socket:[5001]"] : nil)
      try process(101, group: 100, links: ["socket:[5002]"])
      try process(200, group: 200, links: ["socket:[5003]", "socket:[77]"])
    }

    private func process(_ pid: Int32, group: Int32, parent: Int32 = 1, links: [String]?) throws {
      let fm = FileManager.default
      try fm.createDirectory(atPath: "\(root)/\(pid)", withIntermediateDirectories: true)
      try "\(pid) (py thon) S \(parent) \(group) \(group) 0 -1 4194560".write(
        toFile: "\(root)/\(pid)/stat", atomically: true, encoding: .utf8)
      guard let links else { return }
      try fm.createDirectory(atPath: "\(root)/\(pid)/fd", withIntermediateDirectories: true)
      for (n, link) in links.enumerated() {
        try fm.createSymbolicLink(atPath: "\(root)/\(pid)/fd/\(n + 3)", withDestinationPath: link)
      }
    }

    var verifier: WorkerPeerVerifier { WorkerPeerVerifier(proc: ProcFileSystem(root: root)) }
    func remove() { try? FileManager.default.removeItem(atPath: root) }
  }

  static func fromPort(_ port: UInt16) -> WorkerPeer {
    .tcp(local: TCPEndpoint(address: [127, 0, 0, 1], port: 0xAA0F), remote: TCPEndpoint(address: [127, 0, 0, 1], port: port))
  }

  @Test func theLaunchedProcessAndItsGroupAreAcceptedOverTCP() throws {
    let proc = try FakeProc()
    defer { proc.remove() }
    #expect(proc.verifier.verify(Self.fromPort(50000), launchedPID: 100) == .launchedProcess(pid: 100))
    #expect(proc.verifier.verify(Self.fromPort(50001), launchedPID: 100) == .launchedProcess(pid: 101))
  }

  /// Host 42 launched worker 100 (its group); before it learns the pid, only that group is accepted.
  @Test func beforeThePidIsKnownOnlyAGroupLedByAChildOfTheHostIsAccepted() throws {
    let proc = try FakeProc()
    defer { proc.remove() }
    #expect(proc.verifier.verifyLaunchedByHost(Self.fromPort(50000), hostPID: 42) == .launchedProcess(pid: 100))
    #expect(proc.verifier.verifyLaunchedByHost(Self.fromPort(50001), hostPID: 42) == .launchedProcess(pid: 101))
    if case .stranger = proc.verifier.verifyLaunchedByHost(Self.fromPort(50002), hostPID: 42) {} else {
      Issue.record("the stranger's socket was accepted")
    }
    #expect(proc.verifier.verifyLaunchedByHost(.unixSocket(pid: 101), hostPID: 42) == .launchedProcess(pid: 101))
    if case .stranger = proc.verifier.verifyLaunchedByHost(.unixSocket(pid: 200), hostPID: 42) {} else {
      Issue.record("the stranger's process was accepted")
    }
  }

  @Test func aStrangersSocketIsRefused() throws {
    let proc = try FakeProc()
    defer { proc.remove() }
    guard case .stranger(let why) = proc.verifier.verify(Self.fromPort(50002), launchedPID: 100) else {
      Issue.record("a process of another group was accepted")
      return
    }
    #expect(why.contains("socket 5003"))
    guard case .stranger = proc.verifier.verify(Self.fromPort(50003), launchedPID: 100) else {
      Issue.record("a connection without a socket table row was accepted")
      return
    }
    // The same connection is the worker's own when the stranger is the one launched.
    #expect(proc.verifier.verify(Self.fromPort(50002), launchedPID: 200) == .launchedProcess(pid: 200))
  }

  @Test func aGoneWorkerMeansAStranger() throws {
    let proc = try FakeProc()
    defer { proc.remove() }
    guard case .stranger = proc.verifier.verify(Self.fromPort(50000), launchedPID: 300) else {
      Issue.record("a connection for a process that does not exist was accepted")
      return
    }
  }

  @Test func withoutTheSocketTablesTheCheckIsUnavailable() throws {
    let proc = try FakeProc(tcp: nil)
    defer { proc.remove() }
    guard case .unavailable = proc.verifier.verify(Self.fromPort(50000), launchedPID: 100) else {
      Issue.record("no table, yet a verdict")
      return
    }
  }

  @Test func unreadableWorkerDescriptorsMakeTheCheckUnavailable() throws {
    let proc = try FakeProc(workerFDsReadable: false)
    defer { proc.remove() }
    guard case .unavailable = proc.verifier.verify(Self.fromPort(50000), launchedPID: 100) else {
      Issue.record("unreadable descriptors, yet a verdict")
      return
    }
  }

  @Test func unixSocketPeersAreCheckedByProcessGroup() throws {
    let proc = try FakeProc()
    defer { proc.remove() }
    #expect(proc.verifier.verify(.unixSocket(pid: 100), launchedPID: 100) == .launchedProcess(pid: 100))
    #expect(proc.verifier.verify(.unixSocket(pid: 101), launchedPID: 100) == .launchedProcess(pid: 101))
    guard case .stranger = proc.verifier.verify(.unixSocket(pid: 200), launchedPID: 100) else {
      Issue.record("a Unix socket peer of another group was accepted")
      return
    }
    guard case .stranger = proc.verifier.verify(.unixSocket(pid: 999), launchedPID: 100) else {
      Issue.record("a Unix socket peer that is gone was accepted")
      return
    }
  }

  @Test func anUnknownPeerIsUnavailableNotAccepted() {
    #expect(WorkerPeerVerifier().verify(.unknown("no addresses"), launchedPID: 1) == .unavailable("no addresses"))
  }

  /// The real `/proc`: this test process's own TCP connection to itself is found, and its socket is
  /// one of this process's descriptors.
  @Test func theRealProcFindsThisProcessesOwnConnection() async throws {
    #if os(Linux)
      let server = EventStreamServer(registry: WorkerRegistry(), logger: RecordingLogger().logger)
      defer { server.close() }
      let port = try #require(try await server.bind(host: "127.0.0.1", port: 0).localAddress?.port)
      let socket = try await RawSocket.tcp(port: port)
      var address = sockaddr_in()
      var length = socklen_t(MemoryLayout<sockaddr_in>.size)
      let named = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket.fd, $0, &length) }
      }
      #expect(named == 0)
      let peer = WorkerPeer.tcp(
        local: TCPEndpoint(address: [127, 0, 0, 1], port: UInt16(port)),
        remote: TCPEndpoint(address: [127, 0, 0, 1], port: UInt16(bigEndian: address.sin_port)))
      #expect(WorkerPeerVerifier().verify(peer, launchedPID: getpid()) == .launchedProcess(pid: getpid()))
      if getpgrp() != 1, case .launchedProcess = WorkerPeerVerifier().verify(peer, launchedPID: 1) {
        Issue.record("init was taken for the owner of this process's socket")
      }
    #endif
  }
}
