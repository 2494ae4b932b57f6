/// Decides, from successive readings of the app's folder, when the app changed: a pure value driven by
/// the host's watcher.
///
/// A change must stay put for one more reading (an editor may still be writing). A reading that failed
/// for a reason other than "no such file" (EMFILE when the descriptor table is full, EACCES) means
/// "unknown": the previous state is kept, and the failure is reported once until a reading succeeds
/// again; it never counts as files removed.
struct AppChangeDetector: Sendable {
  /// What the watcher does after a reading.
  enum Decision: Equatable, Sendable {
    /// Nothing.
    case none
    /// Reload the app; these files changed.
    case reload(changed: [String])
    /// The folder could not be read (first failure of a run of failures); log it.
    case unreadable(String)
    /// The folder can be read again after failures; log it.
    case readableAgain
  }

  private var last: AppFingerprint?
  private var pending: AppFingerprint? = nil
  private var failing = false

  /// A detector whose baseline is `initial` (an unreadable first reading: the first readable one).
  init(initial: AppFingerprint.Reading) {
    if case .read(let fingerprint) = initial { last = fingerprint }
  }

  /// Takes the next reading.
  mutating func observe(_ reading: AppFingerprint.Reading) -> Decision {
    switch reading {
    case .unreadable(let path, let errno):
      pending = nil
      if failing { return .none }
      failing = true
      return .unreadable(
        "hot reload: cannot read \(LogSafe.escape(path)) (\(LogSafe.errnoDescription(errno))); keeping the app as it "
          + "was until it can be read again")
    case .read(let now):
      let recovered = failing
      failing = false
      guard let last else {
        self.last = now
        return recovered ? .readableAgain : .none
      }
      if now == last {
        pending = nil
        return recovered ? .readableAgain : .none
      }
      if pending != now {
        pending = now  // wait one more reading for the editor to finish writing
        return recovered ? .readableAgain : .none
      }
      self.last = now
      pending = nil
      return .reload(changed: now.changedFiles(since: last))
    }
  }
}
