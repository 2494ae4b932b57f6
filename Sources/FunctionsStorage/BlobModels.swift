public import Foundation

/// A container as listed or inspected.
public struct ContainerInfo: Sendable, Hashable {
  /// The container name (lower case, 3–63 characters).
  public var name: String
  /// User metadata.
  public var metadata: [String: String]
  /// A quoted ETag (`"0x8D…"`), new on every change of the container's metadata.
  public var etag: String
  /// Last change of the container itself.
  public var lastModified: Date
  /// Public access level: `nil` (private), `blob` or `container`.
  public var publicAccess: String?

  /// Creates container information.
  public init(name: String, metadata: [String: String], etag: String, lastModified: Date, publicAccess: String?) {
    self.name = name
    self.metadata = metadata
    self.etag = etag
    self.lastModified = lastModified
    self.publicAccess = publicAccess
  }
}

/// The standard HTTP properties of a blob, set on upload (`x-ms-blob-content-*`) and returned on download.
public struct BlobHTTPHeaders: Sendable, Hashable {
  /// `Content-Type` (Azure's default is `application/octet-stream`).
  public var contentType: String?
  /// `Content-Encoding`.
  public var contentEncoding: String?
  /// `Content-Language`.
  public var contentLanguage: String?
  /// `Content-Disposition`.
  public var contentDisposition: String?
  /// `Cache-Control`.
  public var cacheControl: String?
  /// `Content-MD5` as sent by the client (base64), stored and returned as is; computed when absent.
  public var contentMD5: String?

  /// Creates blob headers.
  public init(
    contentType: String? = nil, contentEncoding: String? = nil, contentLanguage: String? = nil,
    contentDisposition: String? = nil, cacheControl: String? = nil, contentMD5: String? = nil
  ) {
    self.contentType = contentType
    self.contentEncoding = contentEncoding
    self.contentLanguage = contentLanguage
    self.contentDisposition = contentDisposition
    self.cacheControl = cacheControl
    self.contentMD5 = contentMD5
  }
}

/// A block blob's properties.
public struct BlobProperties: Sendable, Hashable {
  /// The container.
  public var container: String
  /// The blob name (may contain `/`).
  public var name: String
  /// Size in bytes.
  public var contentLength: Int64
  /// A quoted ETag, new on every write of content, metadata or properties.
  public var etag: String
  /// Last write.
  public var lastModified: Date
  /// First creation of a blob of this name (kept across overwrites, as Azure does).
  public var creationTime: Date
  /// HTTP properties.
  public var headers: BlobHTTPHeaders
  /// User metadata.
  public var metadata: [String: String]

  /// Creates blob properties.
  public init(
    container: String, name: String, contentLength: Int64, etag: String, lastModified: Date,
    creationTime: Date, headers: BlobHTTPHeaders, metadata: [String: String]
  ) {
    self.container = container
    self.name = name
    self.contentLength = contentLength
    self.etag = etag
    self.lastModified = lastModified
    self.creationTime = creationTime
    self.headers = headers
    self.metadata = metadata
  }
}

/// Conditional-request headers for blob operations, checked as Azure checks them.
public struct BlobConditions: Sendable, Hashable {
  /// `If-Match`: the blob's ETag must equal this (or `*`: the blob must exist).
  public var ifMatch: String?
  /// `If-None-Match`: the blob's ETag must differ (or `*`: the blob must not exist).
  public var ifNoneMatch: String?
  /// `If-Modified-Since`.
  public var ifModifiedSince: Date?
  /// `If-Unmodified-Since`.
  public var ifUnmodifiedSince: Date?

  /// Creates conditions; no arguments means unconditional.
  public init(
    ifMatch: String? = nil, ifNoneMatch: String? = nil, ifModifiedSince: Date? = nil,
    ifUnmodifiedSince: Date? = nil
  ) {
    self.ifMatch = ifMatch
    self.ifNoneMatch = ifNoneMatch
    self.ifModifiedSince = ifModifiedSince
    self.ifUnmodifiedSince = ifUnmodifiedSince
  }

  /// No conditions.
  public static let none = BlobConditions()
}

/// An inclusive byte range (`bytes=start-end`); `end == nil` means to the end of the blob.
public struct ByteRange: Sendable, Hashable {
  /// First byte.
  public var start: Int64
  /// Last byte, inclusive; `nil` for "to the end".
  public var end: Int64?

  /// Creates a range.
  public init(start: Int64, end: Int64?) {
    self.start = start
    self.end = end
  }
}

/// A blob opened for reading: its properties, the range actually served, and its content in chunks.
///
/// The chunks are read from the store lazily, one at a time, so that a large blob never sits in
/// memory whole. Iterate `chunks` at most once.
public struct BlobDownload: Sendable {
  /// The blob's properties (of the version being read).
  public var properties: BlobProperties
  /// The byte range served (`0...contentLength-1` without a range request); `nil` for an empty blob.
  public var range: ClosedRange<Int64>?
  /// The content, in order, in chunks of at most the store's chunk size.
  public var chunks: AsyncThrowingStream<[UInt8], any Error>

  /// Creates a download.
  public init(properties: BlobProperties, range: ClosedRange<Int64>?, chunks: AsyncThrowingStream<[UInt8], any Error>) {
    self.properties = properties
    self.range = range
    self.chunks = chunks
  }
}
