import Foundation
import FunctionsStorage
import Testing

@Suite("Large blobs stream in bounded memory")
struct LargeBlobTests {
  /// Resident set size of this process, in bytes.
  private static func residentBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    return fields.count > 1 ? (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE))) : 0
  }

  /// A checksum over 8-byte words (fast even in debug builds); `bytes.count` must be a multiple of 8.
  private static func checksum(_ bytes: [UInt8], into sum: inout UInt64) {
    bytes.withUnsafeBytes { raw in
      for index in stride(from: 0, to: raw.count, by: 8) {
        sum = (sum &* 31) &+ raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
      }
    }
  }

  @Test(.enabled(if: FileManager.default.fileExists(atPath: "/proc/self/statm")))
  func a64MiBBlobStreamsInAndOutInChunks() async throws {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    let store = try SQLiteStore(path: directory.path + "/store.sqlite")
    defer { store.close() }
    _ = try await store.createContainer("big", metadata: [:], publicAccess: nil)
    let size = 64 << 20
    let generated = GeneratedBytes(total: size, pieceSize: 1 << 20)
    var expected: UInt64 = 0
    var state = generated.seed
    var left = size
    while left > 0 {
      let piece = GeneratedBytes.fill(count: min(1 << 20, left), state: &state)
      Self.checksum(piece, into: &expected)
      left -= piece.count
    }

    let before = Self.residentBytes()
    var peak = before
    // The client sends its own Content-MD5, so the store stores it instead of hashing 64 MiB
    // (MD5 itself is covered by the RFC 1321 vectors and the small-blob tests).
    let properties = try await store.putBlob(
      container: "big", name: "blob.bin", content: generated,
      headers: BlobHTTPHeaders(contentType: "application/octet-stream", contentMD5: "AAAAAAAAAAAAAAAAAAAAAA=="),
      metadata: [:], conditions: .none)
    peak = max(peak, Self.residentBytes())
    #expect(properties.contentLength == Int64(size))

    let download = try await store.readBlob(container: "big", name: "blob.bin", range: nil, conditions: .none)
    var actual: UInt64 = 0
    var total = 0
    var largestChunk = 0
    for try await chunk in download.chunks {
      Self.checksum(chunk, into: &actual)
      total += chunk.count
      largestChunk = max(largestChunk, chunk.count)
      if total % (16 << 20) == 0 { peak = max(peak, Self.residentBytes()) }
    }
    peak = max(peak, Self.residentBytes())
    #expect(total == size)
    #expect(actual == expected)
    #expect(largestChunk == 1 << 20)
    // Resident memory is informative only here: other suites run in this process at the same time. The
    // bound is asserted on a host process of its own (Tests/python/storage, a blob through the endpoints).
    print("64 MiB blob: this test process's resident memory grew by \((peak - before) >> 20) MiB at most")
  }
}
