internal import Foundation
public import FunctionsStorage
internal import PostgresNIO

extension PostgresStore {
  /// Creates a container; see ``FunctionsStore/createContainer(_:metadata:publicAccess:)``.
  public func createContainer(_ name: String, metadata: [String: String], publicAccess: String?) async throws
    -> ContainerInfo
  {
    try NameRules.validateContainer(name)
    let info = ContainerInfo(
      name: name, metadata: metadata, etag: Identifiers.etag(), lastModified: configuration.now(),
      publicAccess: publicAccess)
    let inserted = try await rows(
      "create container '\(name)'",
      """
      INSERT INTO container (name, metadata, etag, last_modified, public_access)
      VALUES (\(name), \(MetadataCoding.encode(metadata)), \(info.etag), \(Micros.of(info.lastModified)),
        \(publicAccess))
      ON CONFLICT DO NOTHING
      RETURNING \(unescaped: Self.containerColumns)
      """)
    guard let row = inserted.first else {
      throw StorageError(code: .containerAlreadyExists, message: "container '\(name)' already exists")
    }
    return try Self.containerInfo(row: row)
  }

  /// Deletes a container and its blobs; see ``FunctionsStore/deleteContainer(_:)``.
  public func deleteContainer(_ name: String) async throws {
    try NameRules.validateContainer(name)
    let deleted = try await transaction("delete container '\(name)'") { connection in
      let deleted = try await connection.rows("DELETE FROM container WHERE name = \(name) RETURNING 1", logger: logger)
      guard !deleted.isEmpty else { return false }
      // Blobs and uncommitted blocks go by cascade; their content is owned by (container, blob).
      try await connection.query("DELETE FROM extent WHERE container = \(name)", logger: logger)
      return true
    }
    guard deleted else { throw Self.containerNotFound(name) }
  }

  /// The container; see ``FunctionsStore/containerInfo(_:)``.
  public func containerInfo(_ name: String) async throws -> ContainerInfo? {
    try NameRules.validateContainer(name)
    let found = try await rows(
      "read container '\(name)'", "SELECT \(unescaped: Self.containerColumns) FROM container WHERE name = \(name)")
    return try found.first.map(Self.containerInfo(row:))
  }

  /// Replaces the container's metadata (new ETag); see ``FunctionsStore/setContainerMetadata(_:metadata:)``.
  public func setContainerMetadata(_ name: String, metadata: [String: String]) async throws -> ContainerInfo {
    try NameRules.validateContainer(name)
    let updated = try await rows(
      "set metadata of container '\(name)'",
      """
      UPDATE container SET metadata = \(MetadataCoding.encode(metadata)), etag = \(Identifiers.etag()),
        last_modified = \(nowMicros())
      WHERE name = \(name)
      RETURNING \(unescaped: Self.containerColumns)
      """)
    guard let row = updated.first else { throw Self.containerNotFound(name) }
    return try Self.containerInfo(row: row)
  }

  /// Lists containers; see ``FunctionsStore/listContainers(prefix:marker:maxResults:)``.
  public func listContainers(prefix: String?, marker: String?, maxResults: Int) async throws -> Page<ContainerInfo> {
    try Self.validateMaxResults(maxResults)
    let range = NameRange(prefix: prefix, marker: marker)
    let found = try await rows(
      "list containers",
      """
      SELECT \(unescaped: Self.containerColumns) FROM container
      WHERE name >= \(range.lower) AND starts_with(name, \(range.prefix))
      ORDER BY name LIMIT \(maxResults + 1)
      """)
    let items = try found.prefix(maxResults).map(Self.containerInfo(row:))
    let next = found.count > maxResults ? try Self.containerInfo(row: found[maxResults]).name : nil
    return Page(items: items, nextMarker: next)
  }

  // MARK: Helpers

  static let containerColumns = "name, metadata, etag, last_modified, public_access"

  static func containerInfo(row: PostgresRow) throws -> ContainerInfo {
    let (name, metadata, etag, lastModified, publicAccess) = try row.decode(
      (String, String, String, Int64, String?).self)
    return ContainerInfo(
      name: name, metadata: MetadataCoding.decode(metadata), etag: etag, lastModified: Micros.date(lastModified),
      publicAccess: publicAccess)
  }

  static func containerNotFound(_ name: String) -> StorageError {
    StorageError(code: .containerNotFound, message: "container '\(name)' does not exist")
  }
}
