package import Foundation

#if canImport(Glibc)
  internal import Glibc
#endif

/// A minimal HTTP/1.1 client over a real socket, run on its own thread so that tests never block
/// the concurrency pool that the in-process host also uses. It can send chunked bodies.
package struct RawHTTPResponse: Sendable {
  package var status: Int
  package var headers: [(String, String)]
  package var body: Data
  package var text: String { String(decoding: body, as: UTF8.self) }
  package func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
  package var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] }
}

package enum RawHTTPClient {
  package struct Failure: Error, CustomStringConvertible {
    package var description: String
    package init(description: String) { self.description = description }
  }

  /// Sends one request (`Connection: close`) and reads the whole response.
  /// - Parameter chunks: when given, the body is sent with `Transfer-Encoding: chunked`, one chunk each.
  package static func send(
    port: Int, method: String = "GET", path: String, headers: [String: String] = [:], body: Data? = nil,
    chunks: [Data]? = nil, timeout: TimeInterval = 60
  ) async throws -> RawHTTPResponse {
    try await withCheckedThrowingContinuation { continuation in
      let thread = Thread {
        continuation.resume(
          with: Result {
            try sendBlocking(
              port: port, method: method, path: path, headers: headers, body: body, chunks: chunks, timeout: timeout)
          })
      }
      thread.start()
    }
  }

  private static func sendBlocking(
    port: Int, method: String, path: String, headers: [String: String], body: Data?, chunks: [Data]?,
    timeout: TimeInterval
  ) throws -> RawHTTPResponse {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw Failure(description: "socket() failed") }
    defer { close(fd) }
    var tv = timeval(tv_sec: Int(timeout), tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = in_port_t(UInt16(port).bigEndian)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    let rc = withUnsafePointer(to: &addr) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard rc == 0 else { throw Failure(description: "connect to 127.0.0.1:\(port) failed (errno \(errno))") }

    var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
    for (k, v) in headers { head += "\(k): \(v)\r\n" }
    if chunks != nil {
      head += "Transfer-Encoding: chunked\r\n"
    } else if let body {
      head += "Content-Length: \(body.count)\r\n"
    }
    head += "\r\n"
    try writeAll(fd, Data(head.utf8))
    if let chunks {
      for chunk in chunks where !chunk.isEmpty {
        try writeAll(fd, Data(String(chunk.count, radix: 16).utf8) + Data("\r\n".utf8) + chunk + Data("\r\n".utf8))
      }
      try writeAll(fd, Data("0\r\n\r\n".utf8))
    } else if let body {
      try writeAll(fd, body)
    }
    var received = Data()
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
      let n = read(fd, &buffer, buffer.count)
      if n < 0 { throw Failure(description: "read failed or timed out (errno \(errno)) after \(received.count) bytes") }
      if n == 0 { break }
      received.append(contentsOf: buffer[0..<n])
    }
    return try parse(received)
  }

  private static func writeAll(_ fd: Int32, _ data: Data) throws {
    try data.withUnsafeBytes { raw in
      var offset = 0
      while offset < raw.count {
        let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
        if n <= 0 { throw Failure(description: "write failed (errno \(errno))") }
        offset += n
      }
    }
  }

  private static func parse(_ data: Data) throws -> RawHTTPResponse {
    guard let split = data.range(of: Data("\r\n\r\n".utf8)) else {
      throw Failure(description: "no HTTP header in response: \(String(decoding: data.prefix(200), as: UTF8.self))")
    }
    let headText = String(decoding: data[..<split.lowerBound], as: UTF8.self)
    var lines = headText.components(separatedBy: "\r\n")
    let statusLine = lines.removeFirst().split(separator: " ")
    guard statusLine.count >= 2, let status = Int(statusLine[1]) else {
      throw Failure(description: "bad status line: \(headText.prefix(100))")
    }
    let headers = lines.compactMap { line -> (String, String)? in
      guard let colon = line.firstIndex(of: ":") else { return nil }
      return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
    }
    var body = Data(data[split.upperBound...])
    if headers.contains(where: { $0.0.lowercased() == "transfer-encoding" && $0.1.lowercased().contains("chunked") }) {
      body = try dechunk(body)
    }
    return RawHTTPResponse(status: status, headers: headers, body: body)
  }

  private static func dechunk(_ data: Data) throws -> Data {
    var out = Data()
    var rest = data[...]
    while let lineEnd = rest.range(of: Data("\r\n".utf8)) {
      let sizeText = String(decoding: rest[..<lineEnd.lowerBound], as: UTF8.self).split(separator: ";").first ?? ""
      guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else {
        throw Failure(description: "bad chunk size")
      }
      if size == 0 { break }
      let start = lineEnd.upperBound
      out.append(rest[start..<start + size])
      rest = rest[(start + size + 2)...]
    }
    return out
  }
}
