internal import FunctionsStorage
internal import PostgresNIO

/// SQLSTATE codes the store reacts to.
enum SQLState {
  static let foreignKeyViolation = "23503"
  static let uniqueViolation = "23505"
  static let serializationFailure = "40001"
  static let deadlockDetected = "40P01"
  static let invalidPassword = "28P01"
  static let invalidAuthorization = "28000"
  static let invalidCatalogName = "3D000"
}

extension PostgresStore {
  /// The SQLSTATE of a server error, if `error` is one.
  static func sqlState(_ error: (any Error)?) -> String? {
    (error as? PSQLError)?.serverInfo?[.sqlState]
  }

  /// A readable account of a PostgresNIO error (its own description hides the details).
  static func describe(_ error: any Error) -> String {
    guard let error = error as? PSQLError else { return "\(error)" }
    if let info = error.serverInfo {
      let message = info[.message] ?? "server error"
      let state = info[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
      let detail = info[.detail].map { "; \($0)" } ?? ""
      return message + state + detail
    }
    if let underlying = error.underlying { return "\(error.code): \(underlying)" }
    return "\(error.code)"
  }

  /// `error` as the store reports it: a ``StorageError`` naming `what` failed.
  static func wrap(_ error: any Error, _ what: String) -> any Error {
    if let error = error as? PostgresTransactionError {
      // The closure's own error (a StorageError, mostly) matters most; then the failed BEGIN or COMMIT.
      if let inner = error.closureError ?? error.beginError ?? error.commitError { return wrap(inner, what) }
    }
    switch error {
    case let error as StorageError:
      return error
    case let error as CancellationError:
      return error
    case let error as PostgresStoreError:
      return StorageError(code: .serverBusy, message: "\(what): \(error.message)", cause: error)
    case let error as PSQLError:
      if let state = sqlState(error) {
        let busy = state == SQLState.serializationFailure || state == SQLState.deadlockDetected
        return StorageError(
          code: busy ? .serverBusy : .internalError, message: "\(what): \(describe(error))", cause: error)
      }
      return StorageError(
        code: .serverBusy, message: "\(what): the database is unreachable (\(describe(error)))", cause: error)
    default:
      return StorageError(
        code: .serverBusy, message: "\(what): the database is unreachable (\(error))", cause: error)
    }
  }
}
