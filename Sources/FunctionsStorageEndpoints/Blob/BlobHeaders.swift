internal import Foundation
internal import FunctionsStorage
internal import Hummingbird

/// Request headers → store values, store values → response headers, for blobs and containers.
enum BlobHeaders {
  /// The conditional headers (`If-Match`, `If-None-Match`, `If-Modified-Since`, `If-Unmodified-Since`).
  ///
  /// - Throws: `InvalidHeaderValue` for a malformed date.
  static func conditions(_ request: StorageRequest) throws(StorageError) -> BlobConditions {
    BlobConditions(
      ifMatch: request.header(.ifMatch),
      ifNoneMatch: request.header(.ifNoneMatch),
      ifModifiedSince: try date(request, .ifModifiedSince),
      ifUnmodifiedSince: try date(request, .ifUnmodifiedSince)
    )
  }

  private static func date(_ request: StorageRequest, _ name: HTTPField.Name) throws(StorageError) -> Date? {
    guard let text = request.header(name) else { return nil }
    guard let date = HTTPDate.parse(text) else {
      throw StorageError.endpoint(
        .invalidHeaderValue, "The value for one of the HTTP headers is not in the correct format: \(name)=\(text).")
    }
    return date
  }

  /// The blob's HTTP properties from `x-ms-blob-content-*` / `x-ms-blob-cache-control`
  /// (Put Blob also takes the plain `Content-*` headers when those are absent).
  static func httpHeaders(_ request: StorageRequest, fallBackToContentHeaders: Bool) -> BlobHTTPHeaders {
    func value(_ blobName: HTTPField.Name, _ plain: HTTPField.Name?) -> String? {
      request.header(blobName) ?? (fallBackToContentHeaders ? plain.flatMap { request.header($0) } : nil)
    }
    return BlobHTTPHeaders(
      contentType: value(.xMsBlobContentType, .contentType),
      contentEncoding: value(.xMsBlobContentEncoding, .contentEncoding),
      contentLanguage: value(.xMsBlobContentLanguage, .contentLanguage),
      contentDisposition: value(.xMsBlobContentDisposition, nil),
      cacheControl: value(.xMsBlobCacheControl, .cacheControl),
      contentMD5: value(.xMsBlobContentMD5, nil)
    )
  }

  /// `ETag` and `Last-Modified`.
  static func versionHeaders(etag: String, lastModified: Date) -> HTTPFields {
    var headers = HTTPFields()
    headers[.eTag] = etag
    headers[.lastModified] = HTTPDate.format(lastModified)
    return headers
  }

  /// The headers of Get Blob / Get Blob Properties (without Content-Length / Content-Range / MD5,
  /// which depend on the range served).
  static func propertyHeaders(_ blob: BlobProperties) -> HTTPFields {
    var headers = versionHeaders(etag: blob.etag, lastModified: blob.lastModified)
    headers[.contentType] = blob.headers.contentType ?? "application/octet-stream"
    if let value = blob.headers.contentEncoding { headers[.contentEncoding] = value }
    if let value = blob.headers.contentLanguage { headers[.contentLanguage] = value }
    if let value = blob.headers.contentDisposition { headers[.contentDisposition] = value }
    if let value = blob.headers.cacheControl { headers[.cacheControl] = value }
    headers[.xMsBlobType] = "BlockBlob"
    headers[.xMsCreationTime] = HTTPDate.format(blob.creationTime)
    headers[.xMsLeaseStatus] = "unlocked"
    headers[.xMsLeaseState] = "available"
    headers[.xMsServerEncrypted] = "false"
    headers[.acceptRanges] = "bytes"
    headers.setMetadata(blob.metadata)
    return headers
  }

  /// The headers of Get Container Properties / Metadata.
  static func containerHeaders(_ container: ContainerInfo) -> HTTPFields {
    var headers = versionHeaders(etag: container.etag, lastModified: container.lastModified)
    headers.setMetadata(container.metadata)
    headers[.xMsLeaseStatus] = "unlocked"
    headers[.xMsLeaseState] = "available"
    if let access = container.publicAccess { headers[.xMsBlobPublicAccess] = access }
    headers[.xMsHasImmutabilityPolicy] = "false"
    headers[.xMsHasLegalHold] = "false"
    return headers
  }

  /// The `x-ms-blob-public-access` header of Create Container (`blob`, `container` or absent).
  ///
  /// - Throws: `InvalidHeaderValue` for another value.
  static func publicAccess(_ request: StorageRequest) throws(StorageError) -> String? {
    guard let value = request.header(.xMsBlobPublicAccess) else { return nil }
    guard value == "blob" || value == "container" else {
      throw StorageError.endpoint(
        .invalidHeaderValue,
        "The value for one of the HTTP headers is not in the correct format: x-ms-blob-public-access=\(value).")
    }
    return value
  }
}
