internal import Foundation

/// How a blob operation uses its ``BlobConditions``.
package enum BlobConditionUse {
  /// A read (Get Blob): a matching If-None-Match fails with `conditionNotMet` (HTTP 304 is the
  /// endpoint's business).
  case read
  /// A write of content (Put Blob, Put Block List): `If-None-Match: *` on an existing blob fails with
  /// `blobAlreadyExists`; a missing blob is fine unless If-Match is given.
  case create
  /// A change to an existing blob (metadata, properties, delete): the blob must exist.
  case modify
}

extension BlobConditions {
  /// Checks the conditions against `blob` (`nil`: it does not exist), as Azure does. Dates are
  /// compared to the second, as HTTP dates carry no more.
  package func check(against blob: BlobProperties?, container: String, name: String, use: BlobConditionUse)
    throws(StorageError)
  {
    let what = "blob '\(name)' in container '\(container)'"
    guard let blob else {
      if use != .create {
        throw StorageError(code: .blobNotFound, message: "\(what) does not exist")
      }
      if let ifMatch {
        throw StorageError(
          code: .conditionNotMet, message: "If-Match \(ifMatch) failed: \(what) does not exist")
      }
      return
    }
    let etag = Identifiers.normalizedETag(blob.etag)
    if let ifMatch, ifMatch.trimmingCharacters(in: .whitespaces) != "*" {
      let tags = ifMatch.split(separator: ",").map { Identifiers.normalizedETag(String($0)) }
      guard tags.contains(etag) else {
        throw StorageError(
          code: .conditionNotMet, message: "If-Match \(ifMatch) failed: \(what) has ETag \(blob.etag)")
      }
    }
    if let ifNoneMatch {
      if ifNoneMatch.trimmingCharacters(in: .whitespaces) == "*" {
        throw StorageError(
          code: use == .create ? .blobAlreadyExists : .conditionNotMet,
          message: "If-None-Match * failed: \(what) already exists")
      }
      let tags = ifNoneMatch.split(separator: ",").map { Identifiers.normalizedETag(String($0)) }
      if tags.contains(etag) {
        throw StorageError(
          code: .conditionNotMet, message: "If-None-Match \(ifNoneMatch) failed: \(what) has that ETag")
      }
    }
    let modified = blob.lastModified.timeIntervalSince1970.rounded(.down)
    if let ifModifiedSince, !(modified > ifModifiedSince.timeIntervalSince1970.rounded(.down)) {
      throw StorageError(
        code: .conditionNotMet,
        message: "If-Modified-Since \(ifModifiedSince) failed: \(what) was last modified \(blob.lastModified)")
    }
    if let ifUnmodifiedSince, modified > ifUnmodifiedSince.timeIntervalSince1970.rounded(.down) {
      throw StorageError(
        code: .conditionNotMet,
        message: "If-Unmodified-Since \(ifUnmodifiedSince) failed: \(what) was last modified \(blob.lastModified)")
    }
  }
}
