import Testing

@testable import FunctionsConformance

/// The HttpUri forms the `http-proxy` scenario accepts, and the clear refusals of the others.
struct HTTPProxyAddressTests {
  @Test func acceptsTCPAndEncodedUnixSocket() throws {
    #expect(try HTTPProxyAddress.parse("http://127.0.0.1:8123").get() == .tcp(port: 8123))
    #expect(try HTTPProxyAddress.parse("http://127.0.0.1:8123/").get() == .tcp(port: 8123))
    #expect(try HTTPProxyAddress.parse("http+unix://%2Ftmp%2Ffh%2Fh.sock").get() == .unix(path: "/tmp/fh/h.sock"))
  }

  @Test(arguments: [
    ("localhost:7072", "unknown scheme"),
    ("http://localhost:7072", "not on 127.0.0.1"),
    ("http://127.0.0.1", "has no port"),
    ("http://127.0.0.1:0", "no valid port"),
    ("http://127.0.0.1:port", "no valid port"),
    ("http+unix://", "names no socket path"),
    ("http+unix:///tmp/h.sock", "unencoded '/'"),
    ("http+unix://h.sock", "relative socket path 'h.sock'"),
  ])
  func refusesOtherForms(_ uri: String, _ reason: String) {
    guard case .failure(let failure) = HTTPProxyAddress.parse(uri) else {
      Issue.record("'\(uri)' was accepted")
      return
    }
    #expect(failure.message.contains(reason), "\(failure.message)")
    #expect(failure.message.contains("HttpUri '\(uri)'"))
  }
}
