internal import Foundation
internal import GRDB

extension SQLiteStore {
  // MARK: Host documents

  /// The named host document; see ``FunctionsStore/hostDocument(_:)``.
  public func hostDocument(_ name: String) async throws -> HostDocument? {
    try await read("read host document '\(name)'") { db in
      try Row.fetchOne(
        db.cachedStatement(sql: "SELECT content, version FROM host_document WHERE name = ?"), arguments: [name]
      ).map { HostDocument(content: [UInt8]($0[0] as Data), version: $0[1]) }
    }
  }

  /// Writes a host document when its version is still `expectedVersion`; see
  /// ``FunctionsStore/putHostDocument(_:content:expectedVersion:)``.
  public func putHostDocument(_ name: String, content: [UInt8], expectedVersion: Int64?) async throws -> HostDocument? {
    let written = try await write("write host document '\(name)'") { db -> HostDocument? in
      if let expectedVersion {
        try db.cachedStatement(sql: "UPDATE host_document SET content = ?, version = version + 1 WHERE name = ? AND version = ?")
          .execute(arguments: [Data(content), name, expectedVersion])
        return db.changesCount > 0 ? HostDocument(content: content, version: expectedVersion + 1) : nil
      }
      try db.cachedStatement(sql: "INSERT OR IGNORE INTO host_document (name, content, version) VALUES (?, ?, 1)")
        .execute(arguments: [name, Data(content)])
      return db.changesCount > 0 ? HostDocument(content: content, version: 1) : nil
    }
    if written != nil { broadcaster.yield(.documentWritten(name: name)) }
    return written
  }
}
