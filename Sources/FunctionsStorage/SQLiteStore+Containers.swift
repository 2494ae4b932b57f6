internal import Foundation
internal import GRDB

extension SQLiteStore {
  /// Creates a container; see ``FunctionsStore/createContainer(_:metadata:publicAccess:)``.
  public func createContainer(_ name: String, metadata: [String: String], publicAccess: String?) async throws
    -> ContainerInfo
  {
    try NameRules.validateContainer(name)
    let info = ContainerInfo(
      name: name, metadata: metadata, etag: Identifiers.etag(), lastModified: configuration.now(),
      publicAccess: publicAccess)
    return try await write("create container '\(name)'") { db in
      guard try !Self.containerExists(db, name) else {
        throw StorageError(code: .containerAlreadyExists, message: "container '\(name)' already exists")
      }
      try db.cachedStatement(
        sql: "INSERT INTO container (name, metadata, etag, last_modified, public_access) VALUES (?, ?, ?, ?, ?)"
      ).execute(arguments: [
        name, MetadataCoding.encode(metadata), info.etag, Micros.of(info.lastModified), publicAccess,
      ])
      return try Self.fetchContainer(db, name) ?? info
    }
  }

  /// Deletes a container and its blobs; see ``FunctionsStore/deleteContainer(_:)``.
  public func deleteContainer(_ name: String) async throws {
    try NameRules.validateContainer(name)
    try await write("delete container '\(name)'") { db in
      try db.cachedStatement(sql: "DELETE FROM container WHERE name = ?").execute(arguments: [name])
      guard db.changesCount > 0 else { throw Self.containerNotFound(name) }
      // Blobs and uncommitted blocks go by cascade; their content is owned by (container, blob).
      try db.cachedStatement(sql: "DELETE FROM extent WHERE container = ?").execute(arguments: [name])
    }
  }

  /// The container; see ``FunctionsStore/containerInfo(_:)``.
  public func containerInfo(_ name: String) async throws -> ContainerInfo? {
    try NameRules.validateContainer(name)
    return try await read("read container '\(name)'") { db in try Self.fetchContainer(db, name) }
  }

  /// Replaces the container's metadata (new ETag); see ``FunctionsStore/setContainerMetadata(_:metadata:)``.
  public func setContainerMetadata(_ name: String, metadata: [String: String]) async throws -> ContainerInfo {
    try NameRules.validateContainer(name)
    let etag = Identifiers.etag()
    let now = nowMicros()
    return try await write("set metadata of container '\(name)'") { db in
      try db.cachedStatement(sql: "UPDATE container SET metadata = ?, etag = ?, last_modified = ? WHERE name = ?")
        .execute(arguments: [MetadataCoding.encode(metadata), etag, now, name])
      guard db.changesCount > 0, let info = try Self.fetchContainer(db, name) else {
        throw Self.containerNotFound(name)
      }
      return info
    }
  }

  /// Lists containers; see ``FunctionsStore/listContainers(prefix:marker:maxResults:)``.
  public func listContainers(prefix: String?, marker: String?, maxResults: Int) async throws -> Page<ContainerInfo> {
    try Self.validateMaxResults(maxResults)
    let range = NameRange(prefix: prefix, marker: marker)
    return try await read("list containers") { db in
      let rows = try Row.fetchAll(
        db.cachedStatement(
          sql: """
            SELECT name, metadata, etag, last_modified, public_access FROM container
            WHERE name >= ? AND name < ? AND substr(name, 1, length(?)) = ?
            ORDER BY name LIMIT ?
            """),
        arguments: [range.lower, range.upper, range.prefix, range.prefix, maxResults + 1])
      let next: String? = rows.count > maxResults ? rows[maxResults][0] : nil
      return Page(items: rows.prefix(maxResults).map(Self.containerInfo(row:)), nextMarker: next)
    }
  }

  // MARK: Helpers

  static func fetchContainer(_ db: Database, _ name: String) throws -> ContainerInfo? {
    try Row.fetchOne(
      db.cachedStatement(
        sql: "SELECT name, metadata, etag, last_modified, public_access FROM container WHERE name = ?"),
      arguments: [name]
    ).map(containerInfo(row:))
  }

  static func containerInfo(row: Row) -> ContainerInfo {
    ContainerInfo(
      name: row[0], metadata: MetadataCoding.decode(row[1]), etag: row[2], lastModified: Micros.date(row[3]),
      publicAccess: row[4])
  }

  static func containerExists(_ db: Database, _ name: String) throws -> Bool {
    try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM container WHERE name = ?"), arguments: [name]) ?? false
  }

  static func requireContainer(_ db: Database, _ name: String) throws {
    guard try containerExists(db, name) else { throw containerNotFound(name) }
  }

  static func containerNotFound(_ name: String) -> StorageError {
    StorageError(code: .containerNotFound, message: "container '\(name)' does not exist")
  }
}
