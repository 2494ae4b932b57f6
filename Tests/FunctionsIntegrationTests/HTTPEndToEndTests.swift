import Foundation
import FunctionsHostCore
import FunctionsTestSupport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// The real host, real Python workers, real sockets.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct HTTPEndToEndTests {
  @Test func servesFunctionsAndReportsLoadErrors() async throws {
    let live = try await LiveHost.start(workers: 2)
    try await live.stoppingAfter {

      // Start-up report: every function indexed, the broken one failed to load with file:line.
      #expect(Set(live.report.functions.map(\.name)) == ["broken", "echo", "fails", "hello", "logs"])
      let loadError = try #require(live.report.loadErrors["broken"])
      #expect(loadError.contains("__init__.py"), "\(loadError)")
      #expect(loadError.contains("4") || loadError.lowercased().contains("line"), "\(loadError)")
      #expect(live.report.readyWorkers == 2)

      // Query parameter, relative import of shared code, app setting from local.settings.json.
      let hello = try await live.request("GET", "/api/hello?name=Ada")
      #expect(hello.status == 200)
      #expect(hello.text == "Hello, Ada!")

      // JSON body; 400 without a name.
      let json = try await live.request(
        "POST", "/api/hello", headers: ["Content-Type": "application/json"], body: Data(#"{"name": "Bo"}"#.utf8))
      #expect(json.text == "Hello, Bo!")
      let missing = try await live.request("POST", "/api/hello", body: Data("{}".utf8))
      #expect(missing.status == 400)

      // A failing function: 500 with a JSON body naming the invocation id and the error.
      let failed = try await live.request("GET", "/api/fails")
      #expect(failed.status == 500)
      let failedBody = try #require(failed.json, "\(failed.text)")
      let invocationID = try #require(failedBody["invocationId"] as? String)
      #expect(UUID(uuidString: invocationID) != nil)
      #expect(failed.text.contains("the function failed on purpose"), "\(failed.text)")
      let traceback = await live.logs.first(timeout: .seconds(30)) { record in
        record.metadata["invocationId"] == invocationID && record.message.contains("RuntimeError")
      }
      #expect(traceback != nil, "the exception is logged with the invocation id")

      // A function that failed to load answers with the worker's error; the others still serve.
      let broken = try await live.request("GET", "/api/broken")
      #expect(broken.status == 500)
      #expect(broken.text.contains("failed to load"), "\(broken.text)")
      #expect((try await live.request("GET", "/api/hello?name=Cy")).text == "Hello, Cy!")

      // Unknown route 404; wrong method 405.
      #expect((try await live.request("GET", "/api/nothing-here")).status == 404)
      #expect((try await live.request("GET", "/api/echo")).status == 405)

      try await live.stop()
    }
  }

  @Test func chunkedRequestBodyArrivesWhole() async throws {
    let live = try await LiveHost.start()
    try await live.stoppingAfter {
      var chunks: [Data] = []
      var whole = Data()
      for i in 0..<50 {
        let chunk = Data((0..<(1000 + i * 37)).map { UInt8(($0 * 7 + i) % 251) })
        chunks.append(chunk)
        whole.append(chunk)
      }
      let response = try await live.request(
        "POST", "/api/echo/42?color=red&color=blue", headers: ["X-Test": "yes", "Content-Type": "application/octet-stream"],
        chunks: chunks)
      #expect(response.status == 200, "\(response.text)")
      #expect(response.header("x-echo") == "yes")
      let body = try #require(response.json, "\(response.text)")
      #expect(body["length"] as? Int == whole.count)
      #expect(body["sha"] as? String == sha256Hex(whole))
      #expect(body["id"] as? String == "42")
      #expect(body["header"] as? String == "yes")
      #expect((body["query"] as? [String: String])?["color"] == "red,blue")
      try await live.stop()
    }
  }

  @Test func userLogsReachTheHostLogTaggedWithTheInvocation() async throws {
    let live = try await LiveHost.start()
    try await live.stoppingAfter {
      let response = try await live.request("GET", "/api/logs?marker=m-123")
      #expect(response.status == 200)
      let invocationID = response.text
      #expect(UUID(uuidString: invocationID) != nil, "the context parameter gives the invocation id: \(invocationID)")
      for marker in ["log-marker m-123", "warning-marker m-123", "print-marker m-123"] {
        let record = await live.logs.first(timeout: .seconds(30)) { $0.message.contains(marker) }
        #expect(record?.metadata["invocationId"] == invocationID, "\(marker): \(String(describing: record))")
        #expect(record?.metadata["function"] == "logs", "\(marker)")
      }
      try await live.stop()
    }
  }

  @Test func shutdownLeavesNoWorkerProcess() async throws {
    let live = try await LiveHost.start(workers: 2)
    let processes = live.host.workers().compactMap { $0.pid.flatMap(ProcessIdentity.init(pid:)) }
    #expect(processes.count == 2)
    for process in processes { #expect(process.isAlive, "worker \(process) runs") }
    try await live.stop()
    for process in processes {
      // The supervisor reaped the process: it no longer exists (a new process with its pid is another one).
      #expect(!process.isAlive, "worker \(process) is gone after shutdown")
    }
  }
}

func sha256Hex(_ data: Data) -> String {
  // Tiny SHA-256 so that the test needs no crypto dependency.
  var h: [UInt32] = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]
  let k: [UInt32] = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01,
    0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
    0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
    0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08,
    0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
    0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
  ]
  var message = [UInt8](data)
  let bitLength = UInt64(message.count) * 8
  message.append(0x80)
  while message.count % 64 != 56 { message.append(0) }
  for i in (0..<8).reversed() { message.append(UInt8((bitLength >> (UInt64(i) * 8)) & 0xff)) }
  func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }
  for chunk in stride(from: 0, to: message.count, by: 64) {
    var w = [UInt32](repeating: 0, count: 64)
    for i in 0..<16 {
      w[i] = (0..<4).reduce(0) { ($0 << 8) | UInt32(message[chunk + i * 4 + $1]) }
    }
    for i in 16..<64 {
      let s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3)
      let s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10)
      w[i] = w[i - 16] &+ s0 &+ w[i - 7] &+ s1
    }
    var (a, b, c, d, e, f, g, hh) = (h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7])
    for i in 0..<64 {
      let s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
      let ch = (e & f) ^ (~e & g)
      let t1 = hh &+ s1 &+ ch &+ k[i] &+ w[i]
      let s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
      let maj = (a & b) ^ (a & c) ^ (b & c)
      let t2 = s0 &+ maj
      (hh, g, f, e, d, c, b, a) = (g, f, e, d &+ t1, c, b, a, t1 &+ t2)
    }
    h = [h[0] &+ a, h[1] &+ b, h[2] &+ c, h[3] &+ d, h[4] &+ e, h[5] &+ f, h[6] &+ g, h[7] &+ hh]
  }
  return h.map { String(format: "%08x", $0) }.joined()
}
