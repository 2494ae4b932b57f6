internal import Logging
internal import PostgresNIO

extension PostgresStore {
  /// The key of the session advisory lock under which migrations run (any fixed 64-bit number;
  /// this one is "functionsho" in ASCII).
  static let migrationLockKey: Int64 = 0x66_756E_6374_696F_6E

  /// The versioned schema: version → statements. Never edit a released migration: append a new
  /// version instead. Each version is applied in its own transaction, recorded in `schema_migrations`.
  ///
  /// Times are whole microseconds since 1970 (`bigint`), passed from the store's clock; "never" is
  /// `Int64.max`. Names are `COLLATE "C"` so that listings sort and page by bytes, as Azure (and
  /// the SQLite store) do. Blob content lives in `extent`s (one per Put Blob body or Put Block),
  /// each split into `chunk` rows; a blob's `segments` lists its extents in order. An extent is
  /// `pending` while it is being written (`touched_at` moves with every chunk) and becomes part of
  /// the store in the transaction that references it.
  static let migrations: [(version: Int, name: String, statements: [String])] = [
    (
      1, "initial schema",
      [
        """
        CREATE TABLE queue (
          name text COLLATE "C" PRIMARY KEY,
          metadata text NOT NULL
        )
        """,
        """
        CREATE TABLE message (
          seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          id text NOT NULL UNIQUE,
          queue text COLLATE "C" NOT NULL REFERENCES queue(name) ON DELETE CASCADE,
          body bytea NOT NULL,
          inserted_at bigint NOT NULL,
          expires_at bigint NOT NULL,
          visible_at bigint NOT NULL,
          dequeue_count integer NOT NULL DEFAULT 0,
          pop_receipt text,
          owner text
        )
        """,
        "CREATE INDEX message_by_visibility ON message (queue, visible_at, seq)",
        "CREATE INDEX message_by_expiry ON message (expires_at)",
        "CREATE INDEX message_by_owner ON message (owner) WHERE owner IS NOT NULL",
        """
        CREATE TABLE container (
          name text COLLATE "C" PRIMARY KEY,
          metadata text NOT NULL,
          etag text NOT NULL,
          last_modified bigint NOT NULL,
          public_access text
        )
        """,
        """
        CREATE TABLE blob (
          container text COLLATE "C" NOT NULL REFERENCES container(name) ON DELETE CASCADE,
          name text COLLATE "C" NOT NULL,
          segments text NOT NULL,
          content_length bigint NOT NULL,
          etag text NOT NULL,
          last_modified bigint NOT NULL,
          creation_time bigint NOT NULL,
          content_type text,
          content_encoding text,
          content_language text,
          content_disposition text,
          cache_control text,
          content_md5 text,
          metadata text NOT NULL,
          PRIMARY KEY (container, name)
        )
        """,
        """
        CREATE TABLE extent (
          id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          container text COLLATE "C" NOT NULL,
          blob text COLLATE "C" NOT NULL,
          length bigint NOT NULL DEFAULT 0,
          pending boolean NOT NULL DEFAULT true,
          touched_at timestamptz NOT NULL DEFAULT now()
        )
        """,
        "CREATE INDEX extent_by_blob ON extent (container, blob)",
        "CREATE INDEX extent_pending ON extent (touched_at) WHERE pending",
        """
        CREATE TABLE chunk (
          extent_id bigint NOT NULL REFERENCES extent(id) ON DELETE CASCADE,
          chunk_offset bigint NOT NULL,
          data bytea NOT NULL,
          PRIMARY KEY (extent_id, chunk_offset)
        )
        """,
        """
        CREATE TABLE uncommitted_block (
          container text COLLATE "C" NOT NULL REFERENCES container(name) ON DELETE CASCADE,
          blob text COLLATE "C" NOT NULL,
          block_id text NOT NULL,
          extent_id bigint NOT NULL,
          length bigint NOT NULL,
          PRIMARY KEY (container, blob, block_id)
        )
        """,
        """
        CREATE TABLE blob_receipt (
          function_id text NOT NULL,
          container text NOT NULL,
          blob text NOT NULL,
          etag text NOT NULL,
          created_at bigint NOT NULL,
          PRIMARY KEY (function_id, container, blob, etag)
        )
        """,
        """
        CREATE TABLE schedule_status (
          timer text PRIMARY KEY,
          last bigint NOT NULL,
          next bigint NOT NULL,
          last_updated bigint NOT NULL
        )
        """,
        """
        CREATE TABLE lease (
          name text PRIMARY KEY,
          owner text NOT NULL,
          expires_at bigint NOT NULL
        )
        """,
      ]
    ),
    (
      2, "host documents",
      [
        """
        CREATE TABLE host_document (
          name text COLLATE "C" PRIMARY KEY,
          content bytea NOT NULL,
          version bigint NOT NULL
        )
        """
      ]
    ),
  ]

  /// Applies the missing migrations on `connection` under the session advisory lock, so that hosts
  /// starting at the same time take turns (the second finds everything applied).
  static func migrate(_ connection: PostgresConnection, logger: Logger) async throws {
    try await connection.query("SELECT pg_advisory_lock(\(migrationLockKey))", logger: logger)
    do {
      try await connection.query(
        """
        CREATE TABLE IF NOT EXISTS schema_migrations (
          version integer PRIMARY KEY,
          name text NOT NULL,
          applied_at timestamptz NOT NULL DEFAULT now()
        )
        """, logger: logger)
      var applied = Set<Int>()
      for try await version in try await connection.query("SELECT version FROM schema_migrations", logger: logger)
        .decode(Int.self)
      {
        applied.insert(version)
      }
      if let newest = applied.max(), let known = migrations.last?.version, newest > known {
        throw PostgresStoreError(
          "the database's schema is at version \(newest), newer than this host knows (\(known)); upgrade the host")
      }
      for migration in migrations where !applied.contains(migration.version) {
        try await connection.withTransaction(logger: logger) { connection in
          for statement in migration.statements {
            try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
          }
          try await connection.query(
            "INSERT INTO schema_migrations (version, name) VALUES (\(migration.version), \(migration.name))",
            logger: logger)
        }
        logger.info("applied schema migration \(migration.version) (\(migration.name))")
      }
    } catch {
      _ = try? await connection.query("SELECT pg_advisory_unlock(\(migrationLockKey))", logger: logger)
      throw error
    }
    try await connection.query("SELECT pg_advisory_unlock(\(migrationLockKey))", logger: logger)
  }
}
