internal import Foundation
public import FunctionsHostCore

/// Everything the dashboard shows at one moment; sent as JSON on each server-sent event.
public struct DashboardSnapshot: Sendable, Codable {
  /// One function with its counts and latencies.
  public struct Function: Sendable, Codable {
    /// Its name.
    public var name: String
    /// Its trigger type.
    public var trigger: String
    /// Its URL, for HTTP triggers.
    public var url: String?
    /// Invocations finished.
    public var count: Int
    /// Invocations that did not succeed.
    public var failures: Int
    /// `failures / count` (0 without invocations).
    public var errorRate: Double
    /// Median duration of the recent invocations, in milliseconds.
    public var p50Ms: Double?
    /// 99th percentile of the recent invocations, in milliseconds.
    public var p99Ms: Double?
    /// The durations of the last invocations (oldest first), for a sparkline.
    public var recentMs: [Double]
  }

  /// When the snapshot was taken, seconds since 1970.
  public var time: Double
  /// The functions.
  public var functions: [Function]
  /// The recent invocations, newest first.
  public var invocations: [InvocationRecord]
  /// The workers.
  public var workers: [WorkerState]
  /// The queues and timers.
  public var storage: StorageGauges

  /// The snapshot as one line of JSON.
  public var json: String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
  }
}

extension HostTelemetry {
  /// The dashboard's data now: `functions` with the URL of each (`url(function)`), the journal, the
  /// workers and the store's gauges.
  public func snapshot(
    functions: [FunctionMetadata], url: (FunctionMetadata) -> String? = { _ in nil }
  ) async -> DashboardSnapshot {
    let (recent, stats) = journal.read()
    let rows = functions.sorted { $0.name < $1.name }.map { f -> DashboardSnapshot.Function in
      let s = stats[f.name] ?? stats.first { $0.key.lowercased() == f.name.lowercased() }?.value
      let durations = s?.durations.elements ?? []
      let sorted = durations.sorted()
      return DashboardSnapshot.Function(
        name: f.name, trigger: f.trigger?.type ?? "", url: url(f), count: s?.count ?? 0, failures: s?.failures ?? 0,
        errorRate: (s?.count ?? 0) > 0 ? Double(s!.failures) / Double(s!.count) : 0,
        p50Ms: Self.percentile(sorted, 0.50), p99Ms: Self.percentile(sorted, 0.99),
        recentMs: Array(durations.suffix(40)))
    }
    return DashboardSnapshot(
      time: Date().timeIntervalSince1970, functions: rows, invocations: recent, workers: workerStates(),
      storage: await storageGauges())
  }

  static func percentile(_ sorted: [Double], _ q: Double) -> Double? {
    guard !sorted.isEmpty else { return nil }
    let index = min(sorted.count - 1, Int((Double(sorted.count) * q).rounded(.up)) - 1)
    return sorted[max(0, index)]
  }
}
