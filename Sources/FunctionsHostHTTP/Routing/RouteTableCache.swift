internal import FunctionsHostCore
internal import Logging
internal import Synchronization

/// Holds the current ``RouteTable`` and rebuilds it when the dispatcher's function set changes.
///
/// Each request calls `dispatcher.functions()` and compares the result with the array the
/// table was built from. Array equality first compares counts and then storage identity, so
/// when the dispatcher hands out the same stored array (the usual case: it only replaces it
/// when functions are re-indexed) the check is O(1); a different but equal array costs one
/// element-wise comparison and no rebuild. ``invalidate()`` forces a rebuild on next use.
final class RouteTableCache: Sendable {
  private struct Entry {
    var source: [FunctionMetadata]
    var table: RouteTable
  }

  private let state = Mutex<Entry?>(nil)
  private let routePrefix: String
  private let logger: Logger

  init(routePrefix: String, logger: Logger) {
    self.routePrefix = routePrefix
    self.logger = logger
  }

  /// The table for `functions`, rebuilt (and its problems logged) when they changed.
  func table(for functions: [FunctionMetadata]) -> RouteTable {
    let cached = state.withLock { $0 }
    if let cached, cached.source == functions { return cached.table }
    let table = RouteTable(functions: functions, routePrefix: routePrefix)
    state.withLock { $0 = Entry(source: functions, table: table) }
    for problem in table.problems {
      logger.error(
        "\(problem.message)",
        metadata: [
          "route": "\(problem.route)",
          "functions": "\(problem.functionNames.joined(separator: ","))",
        ]
      )
    }
    logger.debug("HTTP route table built", metadata: ["routes": "\(table.routes.count)"])
    return table
  }

  /// Drops the cached table so the next request rebuilds it.
  func invalidate() {
    state.withLock { $0 = nil }
  }
}
