/// Decides whether a worker connection comes from the process the host launched for that worker (or
/// one of its descendants, which share its process group: the host starts every worker as the leader of a
/// group of its own).
///
/// On TCP the peer's socket is found in `/proc/net/tcp` and `/proc/net/tcp6` by the connection's two
/// ends, and its inode must be an open descriptor of a process in the launched process's group. On a
/// Unix socket the peer's pid (SO_PEERCRED) must be in that group. Where `/proc` cannot tell (not Linux,
/// not mounted, the worker's descriptors unreadable), the verdict is ``Verdict/unavailable(_:)`` and the
/// caller falls back to the worker id alone.
package struct WorkerPeerVerifier: Sendable {
  /// The outcome of a check.
  package enum Verdict: Sendable, Hashable {
    /// The connection belongs to process `pid` of the launched worker's group.
    case launchedProcess(pid: Int32)
    /// It does not; the text says what was found.
    case stranger(String)
    /// The OS cannot tell here; the text says why.
    case unavailable(String)
  }

  /// Where the `/proc` files are read.
  package var proc: ProcFileSystem

  /// A verifier reading `proc` (the real `/proc` by default).
  package init(proc: ProcFileSystem = ProcFileSystem()) {
    self.proc = proc
  }

  /// Whether `peer` is the process `launchedPID` or one of its process group.
  package func verify(_ peer: WorkerPeer, launchedPID: Int32) -> Verdict {
    #if !os(Linux)
      return .unavailable("the owner of a connection is looked up on Linux only")
    #else
      switch peer {
      case .unknown(let reason):
        return .unavailable(reason)
      case .unixSocket(let pid):
        if pid == launchedPID { return .launchedProcess(pid: pid) }
        guard let stat = proc.text("\(pid)/stat") else {
          return proc.hasProcess(launchedPID) || proc.text("self/stat") != nil
            ? .stranger("process \(pid) connected and is gone")
            : .unavailable("\(proc.root) cannot be read")
        }
        guard ProcText.processGroup(stat: stat) == launchedPID else {
          return .stranger("process \(pid) is not in the launched worker's process group \(launchedPID)")
        }
        return .launchedProcess(pid: pid)
      case .tcp(let local, let remote):
        return verifyTCP(local: local, remote: remote, launchedPID: launchedPID)
      }
    #endif
  }

  private func verifyTCP(local: TCPEndpoint, remote: TCPEndpoint, launchedPID: Int32) -> Verdict {
    let tables = ["net/tcp", "net/tcp6"].compactMap { proc.text($0) }
    guard !tables.isEmpty else { return .unavailable("\(proc.root)/net/tcp cannot be read") }
    let sockets = tables.flatMap { ProcText.sockets(inTable: $0) }
    guard let inode = ProcText.peerInode(local: local, remote: remote, in: sockets) else {
      return .stranger("no socket on this machine is the other end of \(remote) -> \(local)")
    }
    guard let launchedLinks = proc.descriptorLinks(of: launchedPID) else {
      return proc.hasProcess(launchedPID)
        ? .unavailable("the descriptors of process \(launchedPID) cannot be read")
        : .stranger("the launched worker process \(launchedPID) is gone")
    }
    if Self.holds(inode, launchedLinks) { return .launchedProcess(pid: launchedPID) }
    // Its descendants: every other process of its group.
    for pid in proc.processIDs() where pid != launchedPID {
      guard let stat = proc.text("\(pid)/stat"), ProcText.processGroup(stat: stat) == launchedPID,
        let links = proc.descriptorLinks(of: pid)
      else { continue }
      if Self.holds(inode, links) { return .launchedProcess(pid: pid) }
    }
    return .stranger("socket \(inode) (\(remote)) is held by no process of the launched worker's group \(launchedPID)")
  }

  /// Whether `peer` belongs to a worker this host launched, before the host has learned which process
  /// that is (a worker can connect before its launcher reports the pid, on a busy machine): the peer's
  /// process group must be led by a child of `hostPID` (the host starts every worker as the leader of a
  /// group of its own; no other user's process can be its child).
  package func verifyLaunchedByHost(_ peer: WorkerPeer, hostPID: Int32) -> Verdict {
    #if !os(Linux)
      return .unavailable("the owner of a connection is looked up on Linux only")
    #else
      func ledByChild(_ pid: Int32) -> Bool {
        guard let stat = proc.text("\(pid)/stat"), let group = ProcText.processGroup(stat: stat),
          let leader = proc.text("\(group)/stat")
        else { return false }
        return ProcText.parentProcess(stat: leader) == hostPID
      }
      switch peer {
      case .unknown(let reason):
        return .unavailable(reason)
      case .unixSocket(let pid):
        return ledByChild(pid)
          ? .launchedProcess(pid: pid) : .stranger("process \(pid) is not in a worker group this host launched")
      case .tcp(let local, let remote):
        let tables = ["net/tcp", "net/tcp6"].compactMap { proc.text($0) }
        guard !tables.isEmpty else { return .unavailable("\(proc.root)/net/tcp cannot be read") }
        let sockets = tables.flatMap { ProcText.sockets(inTable: $0) }
        guard let inode = ProcText.peerInode(local: local, remote: remote, in: sockets) else {
          return .stranger("no socket on this machine is the other end of \(remote) -> \(local)")
        }
        for pid in proc.processIDs() where ledByChild(pid) {
          if let links = proc.descriptorLinks(of: pid), Self.holds(inode, links) { return .launchedProcess(pid: pid) }
        }
        return .stranger("socket \(inode) (\(remote)) is held by no worker group this host launched")
      }
    #endif
  }

  private static func holds(_ inode: UInt64, _ links: [String]) -> Bool {
    links.contains { ProcText.socketInode(link: $0) == inode }
  }
}
