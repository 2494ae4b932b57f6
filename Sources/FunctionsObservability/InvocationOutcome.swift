internal import FunctionsHostCore

/// How an invocation ended, as the metrics and the dashboard count it.
public enum InvocationOutcome: String, Sendable, CaseIterable, Codable {
  /// The function returned.
  case succeeded
  /// The function raised, or the host could not run it (no worker, worker exited, overloaded).
  case failed
  /// The function exceeded `functionTimeout`.
  case timedOut = "timed_out"
  /// The function was cancelled.
  case cancelled

  /// The outcome of an invocation that threw `error`.
  public init(error: any Error) {
    guard let error = error as? FunctionsHostError else {
      self = error is CancellationError ? .cancelled : .failed
      return
    }
    switch error.code {
    case .timeout: self = .timedOut
    case .functionCancelled: self = .cancelled
    default: self = .failed
    }
  }
}
