extension WorkerSupervisor {
  /// Tells the observer (if any) about a lifecycle event that starts or ends a worker process.
  func notify(_ event: WorkerLifecycle.Event, slot: Int, machine: WorkerLifecycle.StateMachine) {
    guard let observer = settings.onWorkerEvent else { return }
    switch event {
    case .processStarted(let pid):
      observer(WorkerEvent(slot: slot, kind: .started(pid: pid, restart: startCount(of: slot) > 1)))
    case .processFailedToStart(let why):
      observer(WorkerEvent(slot: slot, kind: .exited(cause: .failedToStart, description: why)))
    case .processExited(let description):
      let cause: WorkerEvent.ExitCause =
        machine.stopWasRequested ? .stopped : (description.contains("killed by signal") ? .killed : .crashed)
      observer(WorkerEvent(slot: slot, kind: .exited(cause: cause, description: description)))
    default:
      break
    }
  }
}
