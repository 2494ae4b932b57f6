internal import NIOHTTPTypes

/// Per connection: which requests the front door answers on the event loop (the invocation path, no
/// task per request) and which go on to Hummingbird's responder (everything else), with responses
/// kept in request order (HTTP/1.1 pipelining).
///
/// A pure value: the handler feeds it events and performs the actions it returns. A request is
/// answered on the event loop only when nothing handed to Hummingbird is still unanswered; while one
/// is being answered there, later request parts are held and replayed after its response.
struct FastPathStateMachine {
  enum Mode: Equatable {
    /// Between requests.
    case idle
    /// Passing the current request's parts to Hummingbird.
    case passing
    /// Collecting the current request's body for the event-loop path.
    case collecting
    /// The event-loop request is complete and its invocation is running.
    case awaiting
  }

  /// What the handler does with an inbound part.
  enum Action: Equatable {
    /// Pass it to the next handler (Hummingbird).
    case forward
    /// A request head for the event-loop path: start collecting.
    case startCollecting
    /// A body part of the collected request.
    case collect
    /// The collected request is complete: invoke.
    case invoke
    /// Keep it for later (a request behind the one being answered).
    case hold
  }

  private(set) var mode: Mode = .idle
  /// Requests handed to Hummingbird whose response has not ended yet.
  private(set) var passedOutstanding = 0

  /// A request head arrived; `eligible` says whether the event-loop path could answer it.
  mutating func head(eligible: Bool) -> Action {
    switch mode {
    case .awaiting, .collecting:
      return .hold
    case .passing, .idle:
      if mode == .idle, eligible, passedOutstanding == 0 {
        mode = .collecting
        return .startCollecting
      }
      mode = .passing
      return .forward
    }
  }

  /// A body part arrived.
  mutating func body() -> Action {
    switch mode {
    case .passing, .idle: return .forward
    case .collecting: return .collect
    case .awaiting: return .hold
    }
  }

  /// A request's end arrived.
  mutating func end() -> Action {
    switch mode {
    case .passing, .idle:
      mode = .idle
      passedOutstanding += 1
      return .forward
    case .collecting:
      mode = .awaiting
      return .invoke
    case .awaiting:
      return .hold
    }
  }

  /// Hummingbird finished writing one response.
  mutating func passedResponseEnded() {
    passedOutstanding = max(0, passedOutstanding - 1)
  }

  /// The head chosen for the event-loop path goes to Hummingbird after all (before any body part).
  mutating func passInstead() {
    if mode == .collecting { mode = .passing }
  }

  /// The event-loop request could not start (no worker ready at once, …): its parts go to Hummingbird;
  /// held parts may then be replayed (they queue behind it, in order).
  mutating func fellBack() {
    mode = .idle
    passedOutstanding += 1
  }

  /// The event-loop request's response is written: held parts may be replayed.
  mutating func answered() {
    mode = .idle
  }
}
