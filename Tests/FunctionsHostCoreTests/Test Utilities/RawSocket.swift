import Dispatch
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A blocking client socket for tests that must send exact bytes (or none) to a listener. Every call
/// runs on a Dispatch queue, off the cooperative pool, and every read is bounded by a receive timeout,
/// so a listener that never answers fails the test instead of hanging it.
final class RawSocket: @unchecked Sendable {
  let fd: Int32

  private init(fd: Int32) { self.fd = fd }

  deinit { close(fd) }

  struct Failure: Error, CustomStringConvertible {
    var description: String
  }

  /// Connects to 127.0.0.1:`port`.
  static func tcp(port: Int) async throws -> RawSocket {
    try await offPool {
      let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
      guard fd >= 0 else { throw Failure(description: "socket: errno \(errno)") }
      var address = sockaddr_in()
      address.sin_family = sa_family_t(AF_INET)
      address.sin_port = in_port_t(UInt16(port).bigEndian)
      address.sin_addr.s_addr = inet_addr("127.0.0.1")
      let result = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
      }
      guard result == 0 else {
        close(fd)
        throw Failure(description: "connect: errno \(errno)")
      }
      return RawSocket(fd: fd)
    }
  }

  /// Connects to the Unix socket at `path`.
  static func unix(path: String) async throws -> RawSocket {
    try await offPool {
      let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
      guard fd >= 0 else { throw Failure(description: "socket: errno \(errno)") }
      var address = sockaddr_un()
      address.sun_family = sa_family_t(AF_UNIX)
      let bytes = Array(path.utf8)
      withUnsafeMutableBytes(of: &address.sun_path) { raw in
        for (i, b) in bytes.prefix(raw.count - 1).enumerated() { raw[i] = b }
      }
      let result = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
      }
      guard result == 0 else {
        close(fd)
        throw Failure(description: "connect: errno \(errno)")
      }
      return RawSocket(fd: fd)
    }
  }

  /// Sends all of `bytes`.
  func send(_ bytes: [UInt8]) async throws {
    try await Self.offPool { [fd] in
      var sent = 0
      while sent < bytes.count {
        let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard n > 0 else { throw Failure(description: "send: errno \(errno)") }
        sent += n
      }
    }
  }

  /// Reads (and drops) whatever the listener sends until it closes the connection. True when it did;
  /// false when nothing ended the connection within `limit` seconds (the receive timeout).
  func readUntilClosed(limit seconds: Int = 30) async -> Bool {
    (try? await Self.offPool { [fd] () -> Bool in
      var timeout = timeval(tv_sec: seconds, tv_usec: 0)
      setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
      var buffer = [UInt8](repeating: 0, count: 4096)
      while true {
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n == 0 { return true }
        if n < 0 { return errno == ECONNRESET }
      }
    }) ?? false
  }

  private static func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
      DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
    }
  }
}
