public import FunctionsStorage
internal import PostgresNIO

extension PostgresStore {
  // MARK: Host documents

  /// The named host document; see ``FunctionsStore/hostDocument(_:)``.
  public func hostDocument(_ name: String) async throws -> HostDocument? {
    let found = try await rows(
      "read host document '\(name)'", "SELECT content, version FROM host_document WHERE name = \(name)")
    return try found.first.map { row in
      let (content, version) = try row.decode((ByteBuffer, Int64).self)
      return HostDocument(content: Array(content.readableBytesView), version: version)
    }
  }

  /// Writes a host document when its version is still `expectedVersion`, and tells every host
  /// (NOTIFY in the same transaction); see ``FunctionsStore/putHostDocument(_:content:expectedVersion:)``.
  public func putHostDocument(_ name: String, content: [UInt8], expectedVersion: Int64?) async throws -> HostDocument? {
    let notice = payload(.documentWritten(name: name))
    let bytes = ByteBuffer(bytes: content)
    let written = try await transaction("write host document '\(name)'") { connection -> HostDocument? in
      let stored: [PostgresRow]
      if let expectedVersion {
        stored = try await connection.rows(
          """
          UPDATE host_document SET content = \(bytes), version = version + 1
          WHERE name = \(name) AND version = \(expectedVersion) RETURNING version
          """, logger: logger)
      } else {
        stored = try await connection.rows(
          """
          INSERT INTO host_document (name, content, version) VALUES (\(name), \(bytes), 1)
          ON CONFLICT DO NOTHING RETURNING version
          """, logger: logger)
      }
      guard let row = stored.first else { return nil }
      try await connection.query("SELECT pg_notify(\(Self.notificationChannel), \(notice))", logger: logger)
      return HostDocument(content: content, version: try row.decode(Int64.self))
    }
    if written != nil { broadcaster.yield(.documentWritten(name: name)) }
    return written
  }
}
