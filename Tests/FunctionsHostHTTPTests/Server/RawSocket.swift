import Foundation

/// A loopback TCP client for requests no HTTP client library would send (two Host headers, no Host, odd
/// Transfer-Encodings). Its blocking reads run on a Dispatch thread, never on the concurrency pool that
/// the server under test needs, and are bounded by a receive timeout so a broken server fails the test
/// instead of hanging it.
struct RawSocket: Sendable {
  let fd: Int32

  init(port: Int) throws {
    fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var timeout = timeval(tv_sec: 20, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let result = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard result == 0 else { throw POSIXError(.ECONNREFUSED) }
  }

  func send(_ text: String) {
    let bytes = Array(text.utf8)
    _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
  }

  /// Everything the server sends until it closes the connection (or the 20 s bound).
  func readToEnd() async -> (text: String, closed: Bool) {
    await withCheckedContinuation { continuation in
      DispatchQueue.global().async { continuation.resume(returning: blockingReadToEnd()) }
    }
  }

  /// Reads until `marker` has arrived.
  func read(until marker: String) async -> String {
    await withCheckedContinuation { continuation in
      DispatchQueue.global().async { continuation.resume(returning: blockingRead(until: marker)) }
    }
  }

  private func blockingReadToEnd() -> (text: String, closed: Bool) {
    var out: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
      let n = buffer.withUnsafeMutableBytes { Foundation.read(fd, $0.baseAddress, $0.count) }
      if n == 0 { return (String(decoding: out, as: UTF8.self), true) }
      if n < 0 { return (String(decoding: out, as: UTF8.self), false) }
      out += buffer[0..<n]
    }
  }

  private func blockingRead(until marker: String) -> String {
    var out: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while !String(decoding: out, as: UTF8.self).contains(marker) {
      let n = buffer.withUnsafeMutableBytes { Foundation.read(fd, $0.baseAddress, $0.count) }
      if n <= 0 { break }
      out += buffer[0..<n]
    }
    return String(decoding: out, as: UTF8.self)
  }

  /// Ends what the client sends (a TCP half-close); the server can still answer.
  func shutdownWrite() { _ = shutdown(fd, Int32(SHUT_WR)) }

  func close() { _ = Foundation.close(fd) }
}
