internal import FunctionsStorage
internal import Hummingbird

/// The Blob service: containers and block blobs, served from the store.
///
/// | request | operation |
/// |---|---|
/// | `GET /acct?comp=list` | List Containers |
/// | `GET /acct?restype=account&comp=properties` | Get Account Information |
/// | `PUT/DELETE/GET/HEAD /acct/c?restype=container` | Create / Delete / Get Container Properties |
/// | `GET/HEAD/PUT /acct/c?restype=container&comp=metadata` | Get / Set Container Metadata |
/// | `GET /acct/c?restype=container&comp=acl` | Get Container ACL (public access only) |
/// | `GET /acct/c?restype=container&comp=list` | List Blobs |
/// | `PUT /acct/c/b` | Put Blob (block blobs) |
/// | `PUT /acct/c/b?comp=block&blockid=…` / `?comp=blocklist` | Put Block / Put Block List |
/// | `GET/HEAD /acct/c/b` | Get Blob (ranges) / Get Blob Properties |
/// | `GET/HEAD/PUT /acct/c/b?comp=metadata`, `PUT ?comp=properties`, `DELETE` | metadata, properties, delete |
struct BlobOperations: StorageOperations {
  let store: any FunctionsStore
  let maxBodySize: Int64

  /// Azurite's blob verifier accepts only SharedKey; Azure accepts SharedKeyLite too.
  var allowsSharedKeyLite: Bool { true }

  func respond(to request: StorageRequest) async throws -> Response {
    let target = request.target
    guard let container = target.resource else { return try await accountLevel(request) }
    guard let blob = target.subpath else { return try await containerLevel(request, container: container) }
    return try await blobLevel(request, container: container, blob: blob)
  }

  /// Anonymous reads: blobs of `blob`/`container` containers, and the listing and properties of
  /// `container` containers.
  func allowsAnonymous(_ request: StorageRequest) async throws -> Bool {
    guard request.method == .get || request.method == .head, let name = request.target.resource,
      let container = try await store.containerInfo(name), let access = container.publicAccess
    else { return false }
    if request.target.subpath != nil {
      return request.comp == nil || request.comp == "metadata"
    }
    return access == "container" && request.restype == "container"
      && (request.comp == nil || request.comp == "list" || request.comp == "metadata")
  }

  // MARK: Account

  private func accountLevel(_ request: StorageRequest) async throws -> Response {
    switch (request.method, request.comp, request.restype) {
    case (.get, "list", _):
      return try await listContainers(request)
    case (.get, "properties", "account"), (.head, "properties", "account"):
      var headers = HTTPFields()
      headers[.xMsSkuName] = "Standard_LRS"
      headers[.xMsAccountKind] = "StorageV2"
      headers[.xMsIsHNSEnabled] = "false"
      return .empty(.ok, headers: headers)
    case (_, let comp?, _):
      throw StorageError.unsupported("\(request.method.rawValue) with comp=\(comp) on the blob service")
    default:
      throw Self.unsupportedVerb(request)
    }
  }

  private func listContainers(_ request: StorageRequest) async throws -> Response {
    let prefix = request.target.query("prefix").flatMap { $0.isEmpty ? nil : $0 }
    let marker = request.target.query("marker").flatMap { $0.isEmpty ? nil : $0 }
    let maxResults = try request.integerQuery("maxresults", default: 5000, range: 1...5000)!
    let page = try await store.listContainers(prefix: prefix, marker: marker, maxResults: maxResults)
    let xml = BlobXML.containerList(
      page, serviceEndpoint: serviceEndpoint(request), prefix: prefix, marker: marker, maxResults: maxResults,
      includeMetadata: Self.includes(request, "metadata"))
    return .xml(.ok, xml)
  }

  // MARK: Container

  private func containerLevel(_ request: StorageRequest, container: String) async throws -> Response {
    guard request.restype == "container" else {
      throw StorageError.unsupported("A request on '/\(request.target.account)/\(container)' without restype=container (the $root container)")
    }
    switch (request.method, request.comp) {
    case (.put, nil):
      let info = try await store.createContainer(
        container, metadata: request.headers.metadata, publicAccess: try BlobHeaders.publicAccess(request))
      return .empty(.created, headers: BlobHeaders.versionHeaders(etag: info.etag, lastModified: info.lastModified))
    case (.delete, nil):
      try await store.deleteContainer(container)
      return .empty(.accepted)
    case (.get, nil), (.head, nil), (.get, "metadata"), (.head, "metadata"):
      let info = try await requireContainer(container)
      return .empty(.ok, headers: BlobHeaders.containerHeaders(info))
    case (.put, "metadata"):
      let info = try await store.setContainerMetadata(container, metadata: request.headers.metadata)
      return .empty(.ok, headers: BlobHeaders.versionHeaders(etag: info.etag, lastModified: info.lastModified))
    case (.get, "acl"), (.head, "acl"):
      let info = try await requireContainer(container)
      var headers = BlobHeaders.versionHeaders(etag: info.etag, lastModified: info.lastModified)
      if let access = info.publicAccess { headers[.xMsBlobPublicAccess] = access }
      var xml = XMLWriter()
      xml.element("SignedIdentifiers") { _ in }
      return .xml(.ok, xml.document, headers: headers)
    case (.get, "list"):
      return try await listBlobs(request, container: container)
    case (_, let comp?):
      throw StorageError.unsupported("\(request.method.rawValue) with comp=\(comp) on a container")
    default:
      throw Self.unsupportedVerb(request)
    }
  }

  func requireContainer(_ container: String) async throws -> ContainerInfo {
    guard let info = try await store.containerInfo(container) else {
      throw StorageError(code: .containerNotFound, message: "The specified container does not exist.")
    }
    return info
  }

  // MARK: Helpers

  static func includes(_ request: StorageRequest, _ value: String) -> Bool {
    (request.target.query("include") ?? "").split(separator: ",").contains { $0.lowercased() == value }
  }

  static func unsupportedVerb(_ request: StorageRequest) -> StorageError {
    StorageError.endpoint(
      .unsupportedHTTPVerb, "The resource doesn't support the specified HTTP verb \(request.method.rawValue).")
  }

  func serviceEndpoint(_ request: StorageRequest) -> String {
    "http://\(request.authority ?? "127.0.0.1")/\(request.target.account)/"
  }
}
