internal import Foundation

/// Azure's naming rules for queues, containers, blobs and block ids.
package enum NameRules {
  /// A queue or container name: 3–63 characters of lower-case letters, digits and hyphens,
  /// starting with a letter or digit, without consecutive hyphens and not ending in a hyphen.
  package static func isValidQueueOrContainerName(_ name: String) -> Bool {
    let bytes = Array(name.utf8)
    guard (3...63).contains(bytes.count) else { return false }
    var previousWasHyphen = true  // forbids a leading hyphen
    for byte in bytes {
      switch byte {
      case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
        previousWasHyphen = false
      case UInt8(ascii: "-"):
        if previousWasHyphen { return false }
        previousWasHyphen = true
      default:
        return false
      }
    }
    return !previousWasHyphen
  }

  /// Throws ``StorageError/Code/invalidResourceName`` unless `name` is a valid queue name.
  package static func validateQueue(_ name: String) throws(StorageError) {
    guard isValidQueueOrContainerName(name) else {
      throw StorageError(
        code: .invalidResourceName,
        message: "'\(name)' is not a valid queue name: use 3-63 lower-case letters, digits and single hyphens, "
          + "starting with a letter or digit and not ending with a hyphen")
    }
  }

  /// Throws ``StorageError/Code/invalidResourceName`` unless `name` is a valid container name.
  package static func validateContainer(_ name: String) throws(StorageError) {
    guard isValidQueueOrContainerName(name) else {
      throw StorageError(
        code: .invalidResourceName,
        message: "'\(name)' is not a valid container name: use 3-63 lower-case letters, digits and single "
          + "hyphens, starting with a letter or digit and not ending with a hyphen")
    }
  }

  /// Throws ``StorageError/Code/invalidResourceName`` unless `name` is 1–1024 characters long.
  package static func validateBlob(_ name: String) throws(StorageError) {
    guard (1...1024).contains(name.count) else {
      throw StorageError(
        code: .invalidResourceName,
        message: "a blob name must be 1-1024 characters long; got \(name.count) characters")
    }
  }

  /// Throws ``StorageError/Code/invalidInput`` unless `blockID` is base64 of 1–64 bytes.
  package static func validateBlockID(_ blockID: String, blob: String) throws(StorageError) {
    guard let decoded = Data(base64Encoded: blockID), (1...64).contains(decoded.count) else {
      throw StorageError(
        code: .invalidInput,
        message: "block id '\(blockID)' of blob '\(blob)' is not base64 of 1-64 bytes")
    }
  }
}
