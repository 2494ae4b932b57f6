internal import Foundation
internal import NIOCore

extension ByteBuffer {
  /// The readable bytes as `Data`. Bodies of 1 KiB or more share this buffer's storage (kept alive
  /// until the `Data` goes away) instead of being copied; smaller ones are copied, which costs less
  /// than the shared storage's bookkeeping. A later write to this buffer copies it first
  /// (copy-on-write), so the `Data` never changes.
  var sharedData: Data {
    let count = readableBytes
    if count == 0 { return Data() }
    if count < 1024 { return withUnsafeReadableBytes { Data($0) } }
    return withUnsafeReadableBytesWithStorageManagement { bytes, storage in
      let retained = storage.retain()
      return Data(
        bytesNoCopy: UnsafeMutableRawPointer(mutating: bytes.baseAddress!), count: bytes.count,
        deallocator: .custom { _, _ in retained.release() })
    }
  }
}
