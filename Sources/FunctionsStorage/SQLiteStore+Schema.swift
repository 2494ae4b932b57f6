internal import GRDB

extension SQLiteStore {
  /// The versioned schema. Never edit a registered migration: add "v2", "v3", … instead.
  ///
  /// Times are whole microseconds since 1970 (`INTEGER`); "never" is `Int64.max`.
  /// Blob content lives in `extent`s (one per Put Blob body or Put Block), each split into
  /// `chunk` rows; a blob's content is the ordered list of extents in its `segments` column, so
  /// committing a block list copies no data. An extent is `pending` while it is being written and
  /// becomes visible in the transaction that references it.
  static var migrator: DatabaseMigrator {
    var migrator = DatabaseMigrator()
    migrator.registerMigration("v1") { db in
      try db.execute(
        sql: """
          CREATE TABLE queue (
            name TEXT PRIMARY KEY NOT NULL,
            metadata TEXT NOT NULL
          ) WITHOUT ROWID;

          CREATE TABLE message (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            queue TEXT NOT NULL REFERENCES queue(name) ON DELETE CASCADE,
            body BLOB NOT NULL,
            inserted_at INTEGER NOT NULL,
            expires_at INTEGER NOT NULL,
            visible_at INTEGER NOT NULL,
            dequeue_count INTEGER NOT NULL DEFAULT 0,
            pop_receipt TEXT,
            owner TEXT
          );
          CREATE INDEX message_by_visibility ON message(queue, visible_at, seq);
          CREATE INDEX message_by_expiry ON message(expires_at);
          CREATE INDEX message_by_owner ON message(owner) WHERE owner IS NOT NULL;

          CREATE TABLE container (
            name TEXT PRIMARY KEY NOT NULL,
            metadata TEXT NOT NULL,
            etag TEXT NOT NULL,
            last_modified INTEGER NOT NULL,
            public_access TEXT
          ) WITHOUT ROWID;

          CREATE TABLE blob (
            container TEXT NOT NULL REFERENCES container(name) ON DELETE CASCADE,
            name TEXT NOT NULL,
            segments TEXT NOT NULL,
            content_length INTEGER NOT NULL,
            etag TEXT NOT NULL,
            last_modified INTEGER NOT NULL,
            creation_time INTEGER NOT NULL,
            content_type TEXT,
            content_encoding TEXT,
            content_language TEXT,
            content_disposition TEXT,
            cache_control TEXT,
            content_md5 TEXT,
            metadata TEXT NOT NULL,
            PRIMARY KEY (container, name)
          ) WITHOUT ROWID;

          CREATE TABLE extent (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            container TEXT NOT NULL,
            blob TEXT NOT NULL,
            length INTEGER NOT NULL DEFAULT 0,
            pending INTEGER NOT NULL DEFAULT 1
          );
          CREATE INDEX extent_by_blob ON extent(container, blob);
          CREATE INDEX extent_pending ON extent(pending) WHERE pending = 1;

          CREATE TABLE chunk (
            extent_id INTEGER NOT NULL REFERENCES extent(id) ON DELETE CASCADE,
            offset INTEGER NOT NULL,
            data BLOB NOT NULL,
            PRIMARY KEY (extent_id, offset)
          );

          CREATE TABLE uncommitted_block (
            container TEXT NOT NULL REFERENCES container(name) ON DELETE CASCADE,
            blob TEXT NOT NULL,
            block_id TEXT NOT NULL,
            extent_id INTEGER NOT NULL,
            length INTEGER NOT NULL,
            PRIMARY KEY (container, blob, block_id)
          ) WITHOUT ROWID;

          CREATE TABLE blob_receipt (
            function_id TEXT NOT NULL,
            container TEXT NOT NULL,
            blob TEXT NOT NULL,
            etag TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            PRIMARY KEY (function_id, container, blob, etag)
          ) WITHOUT ROWID;

          CREATE TABLE schedule_status (
            timer TEXT PRIMARY KEY NOT NULL,
            last INTEGER NOT NULL,
            next INTEGER NOT NULL,
            last_updated INTEGER NOT NULL
          ) WITHOUT ROWID;

          CREATE TABLE lease (
            name TEXT PRIMARY KEY NOT NULL,
            owner TEXT NOT NULL,
            expires_at INTEGER NOT NULL
          ) WITHOUT ROWID;
          """)
    }
    migrator.registerMigration("v2") { db in
      try db.execute(
        sql: """
          CREATE TABLE host_document (
            name TEXT PRIMARY KEY NOT NULL,
            content BLOB NOT NULL,
            version INTEGER NOT NULL
          ) WITHOUT ROWID;
          """)
    }
    return migrator
  }

  /// Deletes content left pending by uploads that never finished (the process died mid-upload).
  /// Runs when the store opens, before any upload of this instance can have started.
  static func deletePendingContent(_ db: Database) throws {
    try db.execute(sql: "DELETE FROM extent WHERE pending = 1")
  }
}
