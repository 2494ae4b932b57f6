internal import NIOCore
#if canImport(Glibc)
  internal import Glibc
#endif

/// Who is at the other end of a worker connection, as far as the kernel tells the host.
package enum WorkerPeer: Sendable, Hashable {
  /// A TCP connection: the host's end (`local`) and the peer's (`remote`).
  case tcp(local: TCPEndpoint, remote: TCPEndpoint)
  /// A Unix socket connection from process `pid` (SO_PEERCRED, taken when the peer connected).
  case unixSocket(pid: Int32)
  /// Nothing could be learned; the reason says why.
  case unknown(String)

  /// Learns the peer of a just-accepted connection and hands it to `found` (on the channel's event loop,
  /// before the connection reads anything).
  static func learn(from channel: any Channel, found: @escaping (WorkerPeer) -> Void) {
    guard let remote = channel.remoteAddress, let local = channel.localAddress else {
      found(.unknown("the connection's addresses are unknown"))
      return
    }
    if remote.protocol == .unix || local.protocol == .unix {
      #if os(Linux)
        guard let provider = channel as? any SocketOptionProvider else {
          found(.unknown("the Unix socket's peer credentials cannot be read"))
          return
        }
        let future: EventLoopFuture<PeerCredentials> = provider.unsafeGetSocketOption(
          level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERCRED))
        future.assumeIsolated().whenComplete { result in
          switch result {
          case .success(let credentials) where credentials.pid > 0: found(.unixSocket(pid: credentials.pid))
          case .success: found(.unknown("the Unix socket's peer has no process id"))
          case .failure(let error): found(.unknown("SO_PEERCRED failed: \(error)"))
          }
        }
      #else
        found(.unknown("peer credentials are read on Linux only"))
      #endif
      return
    }
    guard let l = TCPEndpoint(local), let r = TCPEndpoint(remote) else {
      found(.unknown("the connection's addresses are not IP addresses"))
      return
    }
    found(.tcp(local: l, remote: r))
  }

  /// An address for log lines.
  static func describe(_ address: SocketAddress?) -> String {
    guard let address else { return "?" }
    if address.protocol == .unix { return "unix:\(address.pathname ?? "")" }
    return "\(address.ipAddress ?? "?"):\(address.port ?? 0)"
  }
}

/// The `struct ucred` that SO_PEERCRED fills in (Glibc shows it only to `_GNU_SOURCE` code): the same
/// three 32-bit fields in the same order.
struct PeerCredentials: Sendable {
  var pid: Int32 = 0
  var uid: UInt32 = 0
  var gid: UInt32 = 0
}

/// One end of a TCP connection: an IPv4 address (4 bytes; IPv4-mapped IPv6 addresses are stored this way
/// too, so that both sides of a dual-stack connection compare equal) or an IPv6 address (16 bytes), and
/// a port.
package struct TCPEndpoint: Sendable, Hashable, CustomStringConvertible {
  /// The address bytes in network order: 4 or 16 of them.
  package var address: [UInt8]
  /// The port.
  package var port: UInt16

  /// An endpoint; a 16-byte IPv4-mapped address (`::ffff:a.b.c.d`) is kept as its 4 IPv4 bytes.
  package init(address: [UInt8], port: UInt16) {
    let mappedPrefix: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF]
    if address.count == 16 && Array(address.prefix(12)) == mappedPrefix {
      self.address = Array(address.suffix(4))
    } else {
      self.address = address
    }
    self.port = port
  }

  /// The endpoint of an IP socket address; nil for other kinds.
  init?(_ socketAddress: SocketAddress) {
    guard let ip = socketAddress.ipAddress, let port = socketAddress.port, let p = UInt16(exactly: port) else {
      return nil
    }
    var bytes = [UInt8](repeating: 0, count: 16)
    if inet_pton(AF_INET, ip, &bytes) == 1 {
      self.init(address: Array(bytes.prefix(4)), port: p)
    } else if inet_pton(AF_INET6, ip, &bytes) == 1 {
      self.init(address: bytes, port: p)
    } else {
      return nil
    }
  }

  package var description: String {
    if address.count == 4 { return address.map(String.init).joined(separator: ".") + ":\(port)" }
    var groups: [String] = []
    for i in stride(from: 0, to: address.count - 1, by: 2) {
      groups.append(String(UInt16(address[i]) << 8 | UInt16(address[i + 1]), radix: 16))
    }
    return "[\(groups.joined(separator: ":"))]:\(port)"
  }
}
