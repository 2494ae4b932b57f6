internal import Foundation
internal import FunctionsStorage
internal import Hummingbird

extension BlobOperations {
  /// Operations on one blob.
  func blobLevel(_ request: StorageRequest, container: String, blob: String) async throws -> Response {
    switch (request.method, request.comp) {
    case (.put, nil):
      return try await putBlob(request, container: container, blob: blob)
    case (.put, "block"):
      let blockID = try request.requiredQuery("blockid")
      try checkDeclaredLength(request)
      try await store.putBlock(
        container: container, name: blob, blockID: blockID,
        content: RequestBodyChunks(body: request.body, limit: maxBodySize))
      var headers = HTTPFields()
      headers[.xMsRequestServerEncrypted] = "false"
      if let md5 = request.header(.contentMD5) { headers[.contentMD5] = md5 }
      return .empty(.created, headers: headers)
    case (.put, "blocklist"):
      let ids = try BlobXML.blockIDs(from: try await request.collectBody(upTo: 16 << 20))
      let properties = try await store.commitBlockList(
        container: container, name: blob, blockIDs: ids,
        headers: BlobHeaders.httpHeaders(request, fallBackToContentHeaders: false),
        metadata: request.headers.metadata, conditions: try BlobHeaders.conditions(request))
      return written(properties, status: .created)
    case (.get, nil), (.head, nil):
      return try await getBlob(request, container: container, blob: blob)
    case (.get, "metadata"), (.head, "metadata"):
      let properties = try await requireBlob(container: container, blob: blob)
      var headers = BlobHeaders.versionHeaders(etag: properties.etag, lastModified: properties.lastModified)
      headers.setMetadata(properties.metadata)
      return .empty(.ok, headers: headers)
    case (.put, "metadata"):
      let properties = try await store.setBlobMetadata(
        container: container, name: blob, metadata: request.headers.metadata,
        conditions: try BlobHeaders.conditions(request))
      return written(properties, status: .ok)
    case (.put, "properties"):
      let properties = try await store.setBlobHTTPHeaders(
        container: container, name: blob, headers: BlobHeaders.httpHeaders(request, fallBackToContentHeaders: false),
        conditions: try BlobHeaders.conditions(request))
      return written(properties, status: .ok)
    case (.delete, nil):
      try await store.deleteBlob(container: container, name: blob, conditions: try BlobHeaders.conditions(request))
      return .empty(.accepted)
    case (_, let comp?):
      throw StorageError.unsupported("\(request.method.rawValue) with comp=\(comp) on a blob")
    default:
      throw Self.unsupportedVerb(request)
    }
  }

  private func putBlob(_ request: StorageRequest, container: String, blob: String) async throws -> Response {
    if request.header(.xMsCopySource) != nil {
      throw StorageError.unsupported("Copy Blob (x-ms-copy-source)")
    }
    guard let type = request.header(.xMsBlobType) else {
      throw StorageError.endpoint(
        .missingRequiredHeader, "An HTTP header that's mandatory for this request is not specified: x-ms-blob-type.")
    }
    guard type == "BlockBlob" else {
      throw StorageError.endpoint(
        .invalidHeaderValue, "x-ms-blob-type \(type) is not supported by this storage endpoint (BlockBlob only).")
    }
    try checkDeclaredLength(request)
    let properties = try await store.putBlob(
      container: container, name: blob, content: RequestBodyChunks(body: request.body, limit: maxBodySize),
      headers: BlobHeaders.httpHeaders(request, fallBackToContentHeaders: true),
      metadata: request.headers.metadata, conditions: try BlobHeaders.conditions(request))
    return written(properties, status: .created)
  }

  private func getBlob(_ request: StorageRequest, container: String, blob: String) async throws -> Response {
    let conditions = try BlobHeaders.conditions(request)
    let properties = try await requireBlob(container: container, blob: blob)
    if let notModified = try Self.checkReadConditions(conditions, properties) { return notModified }
    if request.isHead {
      var headers = BlobHeaders.propertyHeaders(properties)
      headers[.contentLength] = String(properties.contentLength)
      if let md5 = properties.headers.contentMD5 { headers[.contentMD5] = md5 }
      return Response(status: .ok, headers: headers)
    }
    let range = try RangeHeader.requested(in: request)
    if let range, range.start >= properties.contentLength {
      var headers = HTTPFields()
      headers[.contentRange] = "bytes */\(properties.contentLength)"
      throw StorageFailure(
        error: StorageError(code: .invalidRange, message: "The range specified is invalid for the current size of the resource."),
        headers: headers)
    }
    // Read the version whose conditions were checked (a concurrent overwrite answers 412).
    let download = try await store.readBlob(
      container: container, name: blob, range: range,
      conditions: BlobConditions(ifMatch: properties.etag))
    var headers = BlobHeaders.propertyHeaders(download.properties)
    let total = download.properties.contentLength
    let served = download.range.map { $0.upperBound - $0.lowerBound + 1 } ?? 0
    headers[.contentLength] = String(served)
    let status: HTTPResponse.Status
    if range != nil, let actual = download.range {
      status = .partialContent
      headers[.contentRange] = "bytes \(actual.lowerBound)-\(actual.upperBound)/\(total)"
      if let md5 = download.properties.headers.contentMD5 { headers[.xMsBlobContentMD5] = md5 }
    } else {
      status = .ok
      if let md5 = download.properties.headers.contentMD5 { headers[.contentMD5] = md5 }
    }
    let chunks = download.chunks
    let body = ResponseBody(contentLength: Int(served)) { writer in
      for try await chunk in chunks {
        try await writer.write(ByteBuffer(bytes: chunk))
      }
      try await writer.finish(nil)
    }
    return Response(status: status, headers: headers, body: body)
  }

  /// HTTP's order: If-Match, If-Unmodified-Since (412), then If-None-Match, If-Modified-Since (304).
  static func checkReadConditions(_ conditions: BlobConditions, _ blob: BlobProperties) throws(StorageError)
    -> Response?
  {
    let etag = ETag.normalized(blob.etag)
    let modified = blob.lastModified.timeIntervalSince1970.rounded(.down)
    if let ifMatch = conditions.ifMatch, !ETag.list(ifMatch, matches: etag) {
      throw StorageError(code: .conditionNotMet, message: "The condition specified using HTTP conditional header(s) is not met.")
    }
    if let date = conditions.ifUnmodifiedSince, modified > date.timeIntervalSince1970.rounded(.down) {
      throw StorageError(code: .conditionNotMet, message: "The condition specified using HTTP conditional header(s) is not met.")
    }
    var notModified = false
    if let ifNoneMatch = conditions.ifNoneMatch {
      notModified = ETag.list(ifNoneMatch, matches: etag)
    } else if let date = conditions.ifModifiedSince {
      notModified = modified <= date.timeIntervalSince1970.rounded(.down)
    }
    guard notModified else { return nil }
    var headers = BlobHeaders.versionHeaders(etag: blob.etag, lastModified: blob.lastModified)
    headers[.xMsErrorCode] = StorageError.Code.conditionNotMet.rawValue
    return .empty(.notModified, headers: headers)
  }

  private func requireBlob(container: String, blob: String) async throws -> BlobProperties {
    guard let properties = try await store.blobProperties(container: container, name: blob) else {
      throw StorageError(code: .blobNotFound, message: "The specified blob does not exist.")
    }
    return properties
  }

  /// Refuses a declared Content-Length beyond the limit before reading anything.
  private func checkDeclaredLength(_ request: StorageRequest) throws(StorageError) {
    if let length = request.header(.contentLength).flatMap({ Int64($0) }), length > maxBodySize {
      throw StorageError.endpoint(
        .requestBodyTooLarge,
        "The request body is too large and exceeds the maximum permissible limit (\(maxBodySize) bytes).")
    }
  }

  /// 201/200 with `ETag`, `Last-Modified`, `Content-MD5` and `x-ms-request-server-encrypted`.
  private func written(_ properties: BlobProperties, status: HTTPResponse.Status) -> Response {
    var headers = BlobHeaders.versionHeaders(etag: properties.etag, lastModified: properties.lastModified)
    if let md5 = properties.headers.contentMD5 { headers[.contentMD5] = md5 }
    headers[.xMsRequestServerEncrypted] = "false"
    return .empty(status, headers: headers)
  }
}

/// ETag comparisons as HTTP does them (quotes and weak markers ignored).
enum ETag {
  /// The ETag without `W/` and quotes.
  static func normalized(_ tag: some StringProtocol) -> String {
    var text = tag.trimmingPrefix(while: { $0 == " " })
    if text.hasPrefix("W/") { text = text.dropFirst(2) }
    return String(text.trimmingCharacters(in: [" ", "\""]))
  }

  /// Whether an `If-Match` / `If-None-Match` list (or `*`) matches `etag` (already normalized).
  static func list(_ header: String, matches etag: String) -> Bool {
    header.split(separator: ",").contains { normalized($0) == "*" || normalized($0) == etag }
  }
}
