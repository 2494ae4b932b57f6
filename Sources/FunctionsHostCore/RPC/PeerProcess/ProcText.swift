/// Pure parsers for the Linux `/proc` texts that tell which process owns a TCP connection's other end:
/// the socket tables (`/proc/net/tcp`, `/proc/net/tcp6`), descriptor links (`/proc/<pid>/fd/<n>`) and
/// process status lines (`/proc/<pid>/stat`). No I/O here; ``ProcFileSystem`` reads the files.
package enum ProcText {
  /// One row of a socket table.
  package struct Socket: Sendable, Hashable {
    /// The socket's own address.
    package var local: TCPEndpoint
    /// The address it is connected to (zero for a listener).
    package var remote: TCPEndpoint
    /// The socket's inode (0 for sockets no descriptor holds, as in TIME_WAIT).
    package var inode: UInt64
  }

  /// The rows of a `/proc/net/tcp` or `/proc/net/tcp6` text. The header line and any line that does not
  /// parse are skipped.
  ///
  /// A row reads `sl local rem st tx:rx tr:when retrnsmt uid timeout inode …`; addresses are
  /// `ADDRESS:PORT` in hex, the address as the kernel's 32-bit words in this machine's byte order.
  package static func sockets(inTable text: some StringProtocol) -> [Socket] {
    var out: [Socket] = []
    for line in text.split(separator: "\n") {
      let fields = line.split(separator: " ", omittingEmptySubsequences: true)
      guard fields.count >= 10, fields[0].hasSuffix(":"),
        let local = endpoint(hex: fields[1]), let remote = endpoint(hex: fields[2]),
        let inode = UInt64(fields[9])
      else { continue }
      out.append(Socket(local: local, remote: remote, inode: inode))
    }
    return out
  }

  /// An `ADDRESS:PORT` field of a socket table: 8 hex digits (IPv4) or 32 (IPv6) and 4 for the port.
  package static func endpoint(hex: some StringProtocol) -> TCPEndpoint? {
    let parts = hex.split(separator: ":")
    guard parts.count == 2, parts[0].count == 8 || parts[0].count == 32, parts[1].count == 4,
      let port = UInt16(parts[1], radix: 16)
    else { return nil }
    var bytes: [UInt8] = []
    var rest = parts[0][...]
    while !rest.isEmpty {
      // Each 8-digit word is a 32-bit value the kernel printed from memory: its bytes in memory (this
      // machine's order) are the address bytes in network order.
      guard let word = UInt32(rest.prefix(8), radix: 16) else { return nil }
      withUnsafeBytes(of: word) { bytes.append(contentsOf: $0) }
      rest = rest.dropFirst(8)
    }
    return TCPEndpoint(address: bytes, port: port)
  }

  /// The inode of the socket at the other end of the connection whose ends are `local` (the host's)
  /// and `remote` (the peer's): the row whose own address is `remote` and whose peer is `local`. Nil
  /// when no row matches (the peer is not on this machine, or closed its socket).
  package static func peerInode(local: TCPEndpoint, remote: TCPEndpoint, in sockets: [Socket]) -> UInt64? {
    sockets.first { $0.local == remote && $0.remote == local && $0.inode != 0 }?.inode
  }

  /// The inode in a descriptor link's target, `socket:[12345]`; nil for anything else (files, pipes,
  /// `anon_inode:…`).
  package static func socketInode(link: some StringProtocol) -> UInt64? {
    guard link.hasPrefix("socket:["), link.hasSuffix("]") else { return nil }
    return UInt64(link.dropFirst("socket:[".count).dropLast())
  }

  /// The process group id in a `/proc/<pid>/stat` text (field 5). The command name (field 2) is in
  /// parentheses and may hold spaces and parentheses itself, so fields are counted after its last `)`.
  package static func processGroup(stat: some StringProtocol) -> Int32? {
    guard let close = stat.lastIndex(of: ")") else { return nil }
    let fields = stat[stat.index(after: close)...].split(separator: " ", omittingEmptySubsequences: true)
    // After the name: state (3), ppid (4), pgrp (5).
    guard fields.count >= 3 else { return nil }
    return Int32(fields[2])
  }

  /// The parent process id in a `/proc/<pid>/stat` text (field 4).
  package static func parentProcess(stat: some StringProtocol) -> Int32? {
    guard let close = stat.lastIndex(of: ")") else { return nil }
    let fields = stat[stat.index(after: close)...].split(separator: " ", omittingEmptySubsequences: true)
    guard fields.count >= 2 else { return nil }
    return Int32(fields[1])
  }
}
