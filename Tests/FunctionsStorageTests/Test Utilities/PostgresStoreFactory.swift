import Foundation
import FunctionsStorage
import FunctionsStoragePostgres
import Logging

extension StoreFactory {
  /// ``PostgresStore`` on a fresh database of the shared test cluster, with a small chunk size so
  /// that chunking is exercised and the test clock for "now".
  static let postgres = StoreFactory(name: "PostgreSQL") { clock in
    try PostgresTestStores.make(clock: clock)
  }
}

/// Makes ``PostgresStore``s on the test cluster.
enum PostgresTestStores {
  /// The test cluster, or the error that kept it from starting.
  static func cluster() throws -> PostgresTestCluster {
    try PostgresTestCluster.shared.get()
  }

  /// The configuration the tests use: chunks of 1000 bytes, a few connections, `clock` for now.
  static func configuration(clock: TestClock, chunkSize: Int = 1000) -> PostgresStore.Configuration {
    .defaults {
      $0.chunkSize = chunkSize
      $0.now = { clock.now }
      $0.maximumConnections = 4
    }
  }

  static let logger: Logger = {
    var logger = Logger(label: "functions-host.tests.postgres")
    logger.logLevel = .warning
    return logger
  }()

  /// A store on a new database, to run with ``StoreFactory/withStore(_:)``; closing drops the database.
  static func make(clock: TestClock) throws -> StoreUnderTest {
    let cluster = try cluster()
    let database = try cluster.createDatabase()
    let store = try PostgresStore(
      url: cluster.url(database: database), configuration: configuration(clock: clock), logger: logger)
    return StoreUnderTest(
      store: store, clock: clock,
      close: { try cluster.dropDatabase(database) },
      run: { try await store.run() },
      started: { try await store.waitUntilStarted() })
  }
}
