import Testing

@testable import FunctionsHostCore

/// The `/proc` parsers, on fixture text copied from a little-endian Linux machine (x86-64, arm64: the
/// machines the host runs on; the address words are printed in the machine's byte order).
@Suite struct ProcTextTests {
  static let tcp = """
      sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
       0: 0100007F:AA0F 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 6537557 1 00000000c4f8a8d2 100 0 0 10 0
       1: 0100007F:C350 0100007F:AA0F 01 00000000:00000000 00:00000000 00000000  1000        0 7001234 1 0000000000000000 20 4 30 10 -1
       2: 0100007F:AA0F 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 7001235 1 0000000000000000 20 4 30 10 -1
       3: 0100007F:C351 0100007F:AA0F 06 00000000:00000000 03:00001770 00000000     0        0 0 3 0000000000000000
       4: 0A00020F:D431 5DB8D822:01BB 01 00000000:00000000 02:000A1B2C 00000000  1000        0 7002000 2 0000000000000000 22 4 1 10 -1
    """

  static let tcp6 = """
      sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
       0: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 8100001 1 0000000000000000 100 0 0 10 0
       1: 00000000000000000000000001000000:E000 00000000000000000000000001000000:1F90 01 00000000:00000000 00:00000000 00000000  1000        0 8100002 1 0000000000000000 20 4 30 10 -1
       2: 0000000000000000FFFF00000100007F:1F91 0000000000000000FFFF00000100007F:E001 01 00000000:00000000 00:00000000 00000000     0        0 8100003 1 0000000000000000 20 4 30 10 -1
    """

  static func v4(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8, _ port: UInt16) -> TCPEndpoint {
    TCPEndpoint(address: [a, b, c, d], port: port)
  }

  static let loopback6 = [UInt8](repeating: 0, count: 15) + [1]

  @Test(arguments: [
    ("0100007F:AA0F", v4(127, 0, 0, 1, 0xAA0F)),
    ("0A00020F:D431", v4(15, 2, 0, 10, 0xD431)),
    ("00000000:0000", v4(0, 0, 0, 0, 0)),
    ("00000000000000000000000001000000:1F90", TCPEndpoint(address: loopback6, port: 8080)),
    // An IPv4-mapped IPv6 address is the IPv4 address (both ends of a dual-stack connection match).
    ("0000000000000000FFFF00000100007F:1F91", v4(127, 0, 0, 1, 8081)),
  ])
  func endpoints(hex: String, expected: TCPEndpoint) {
    #expect(ProcText.endpoint(hex: hex) == expected)
  }

  @Test(arguments: ["", "0100007F", "0100007F:AA0F:1", "0100007:AA0F", "0100007G:AA0F", "0100007F:AA0", "0100007F:AAAAA"])
  func malformedEndpoints(hex: String) {
    #expect(ProcText.endpoint(hex: hex) == nil)
  }

  @Test func theTCPTableIsReadRowByRowWithoutItsHeader() {
    let rows = ProcText.sockets(inTable: Self.tcp)
    #expect(rows.count == 5)
    #expect(rows[1] == .init(local: Self.v4(127, 0, 0, 1, 50000), remote: Self.v4(127, 0, 0, 1, 0xAA0F), inode: 7001234))
    #expect(rows[3].inode == 0, "TIME_WAIT: no descriptor holds it")
  }

  @Test func brokenRowsAreSkipped() {
    let text = Self.tcp + "\n   5: garbage\n   6: 0100007F:AA0F 0100007F:C350 01 x x x x x notanumber\n"
    #expect(ProcText.sockets(inTable: text).count == 5)
  }

  /// The host accepted 127.0.0.1:43535 <- 127.0.0.1:50000: the peer's socket is the row whose own
  /// address is the peer's and whose peer is the host's.
  @Test func thePeersInodeIsTheMirrorRow() {
    let rows = ProcText.sockets(inTable: Self.tcp)
    let host = Self.v4(127, 0, 0, 1, 0xAA0F)
    #expect(ProcText.peerInode(local: host, remote: Self.v4(127, 0, 0, 1, 50000), in: rows) == 7001234)
    // The host's own socket of that connection is not taken for the peer's.
    #expect(ProcText.peerInode(local: Self.v4(127, 0, 0, 1, 50000), remote: host, in: rows) == 7001235)
    // A TIME_WAIT row (inode 0) and an unknown port match nothing.
    #expect(ProcText.peerInode(local: host, remote: Self.v4(127, 0, 0, 1, 50001), in: rows) == nil)
    #expect(ProcText.peerInode(local: host, remote: Self.v4(127, 0, 0, 1, 1), in: rows) == nil)
  }

  @Test func ipv6AndDualStackRowsMatch() {
    let rows = ProcText.sockets(inTable: Self.tcp6)
    let host6 = TCPEndpoint(address: Self.loopback6, port: 8080)
    #expect(ProcText.peerInode(local: host6, remote: TCPEndpoint(address: Self.loopback6, port: 0xE000), in: rows) == 8100002)
    // A v4 peer of a dual-stack listener: the host sees ::ffff:127.0.0.1, the table lists it mapped too.
    let mapped = [UInt8](repeating: 0, count: 10) + [0xFF, 0xFF, 127, 0, 0, 1]
    let hostMapped = TCPEndpoint(address: mapped, port: 0xE001)
    #expect(ProcText.peerInode(local: hostMapped, remote: Self.v4(127, 0, 0, 1, 8081), in: rows) == 8100003)
  }

  @Test(arguments: [
    ("socket:[7001234]", UInt64(7001234) as UInt64?),
    ("socket:[0]", 0),
    ("socket:[]", nil),
    ("socket:[12a]", nil),
    ("pipe:[6639108]", nil),
    ("anon_inode:[eventpoll]", nil),
    ("/tmp/socket:[1]", nil),
    ("/dev/null", nil),
  ])
  func descriptorLinks(link: String, inode: UInt64?) {
    #expect(ProcText.socketInode(link: link) == inode)
  }

  @Test(arguments: [
    ("19102 (cat) R 19097 19097 20121 0 -1 4194304 123", Int32(19097) as Int32?),
    ("4242 (python3) S 4200 4242 4200 0 -1 4194560 5", 4242),
    // A command name with spaces and parentheses cannot shift the fields.
    ("77 (evil ) R 1 2 3) S 70 4242 70 0 -1", 4242),
    ("77 (x) S 1", nil),
    ("no parenthesis here", nil),
    ("5 (x) S 1 notanumber 3", nil),
  ])
  func processGroups(stat: String, group: Int32?) {
    #expect(ProcText.processGroup(stat: stat) == group)
  }
}
