#!/usr/bin/env bash
# Queue trigger benchmark: messages/s through a queue-triggered function, and enqueue-to-invocation
# latency when idle and under load, on 127.0.0.1 with the official Python SDK as the client.
#
#   scripts/bench/queue.sh [--messages N] [--workers W] [--samples S]
#
# 1. fill: N messages straight into the store (and 2,000 through the Queue endpoint with the SDK, for its
#    put rate);
# 2. drain: start the host with the function enabled; time from its workers being ready to an empty
#    queue (messages/s), and the host's CPU time per message;
# 3. latency: S probe messages 50 ms apart, idle, then again while N more messages are put (by a second
#    process writing to the same store, which the host sees through its change feed only by polling).
# Needs a release build of functions-host (FUNCTIONS_HOST_BIN, else .build/release, built if missing).
source "$(dirname "${BASH_SOURCE[0]}")/_common.sh"

MESSAGES=20000
WORKERS=2
SAMPLES=100
while [[ $# -gt 0 ]]; do
  case "$1" in
    --messages) MESSAGES="$2"; shift 2 ;;
    --workers) WORKERS="$2"; shift 2 ;;
    --samples) SAMPLES="$2"; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $1" ;;
  esac
done
(( MESSAGES >= 100 && MESSAGES <= 200000 )) || die "--messages must be 100..200000"
(( SAMPLES >= 10 && SAMPLES <= 2000 )) || die "--samples must be 10..2000"

ensure_host
APP="$REPO_ROOT/Examples/bench/queue"
RUN_DIR="$OUT_DIR/queue-$(timestamp)"
mkdir -p "$RUN_DIR"
STORE="$RUN_DIR/store.sqlite"
QVENV="$REPO_ROOT/.build/bench-queue-venv"
if [[ ! -x "$QVENV/bin/python" ]]; then
  log "preparing $QVENV (azure-storage-queue from PyPI)"
  "$PY" -m venv "$QVENV"
  "$QVENV/bin/python" -m pip install -q azure-storage-queue >&2
fi
DRIVER=("$QVENV/bin/python" "$BENCH_DIR/_queue_bench.py")

start_host() { # start_host LOGFILE [ENV=VALUE...]; sets SERVER_PID, CS
  local logfile="$1"; shift
  start_server "$logfile" env "$@" "$HOST_BIN" start --script-root "$APP" --port 0 --blob-port 0 --queue-port 0 \
    --store "$STORE" --workers "$WORKERS" --no-auth --no-reload
  local i
  for i in $(seq 1 600); do
    CS=$(sed -n 's/.*connection string: //p' "$logfile" | head -1)
    [[ -n "$CS" ]] && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || { tail -n 30 "$logfile" >&2; die "the host exited (log: $logfile)"; }
    sleep 0.1
  done
  die "the host did not start in 60 s (log: $logfile)"
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

log "1/3 fill: $MESSAGES messages into bench-in, straight into the store"
FILL=$("$HOST_BIN" bench-queue-fill --store "$STORE" --queue bench-in --count "$MESSAGES")
log "fill: $FILL"
log "    and 2,000 through the Queue endpoint with the SDK (8 threads), for the endpoint's put rate"
start_host "$RUN_DIR/fill.log" "AzureWebJobs.consume.Disabled=true" "AzureWebJobs.probe.Disabled=true"
PUTS=$("${DRIVER[@]}" prefill --connection-string "$CS" --queue bench-put --count 2000)
stop_server "$SERVER_PID"
log "puts: $PUTS"

log "2/3 drain with $WORKERS workers"
start_host "$RUN_DIR/drain.log"
HOST_PID=$SERVER_PID
T0=$(cpu_ticks "$HOST_PID")
DRAIN=$("${DRIVER[@]}" drain --connection-string "$CS" --count "$MESSAGES" --log "$RUN_DIR/drain.log")
T1=$(cpu_ticks "$HOST_PID")
HZ=$(getconf CLK_TCK)
CPU_US=$(python3 -c "print(round(($T1 - $T0) / $HZ * 1e6 / $MESSAGES, 1))")
log "drain: $DRAIN; host CPU $CPU_US µs per message (start-up and the driver's polls included)"

log "3/3 latency: $SAMPLES probes 50 ms apart, idle"
IDLE=$("${DRIVER[@]}" probe --connection-string "$CS" --samples "$SAMPLES")
log "idle: $IDLE"
log "latency under load: the same while $MESSAGES more messages are put and consumed"
"$HOST_BIN" bench-queue-fill --store "$STORE" --queue bench-in --count "$MESSAGES" >"$RUN_DIR/load-fill.json" &
LOADER=$!
LOADED=$("${DRIVER[@]}" probe --connection-string "$CS" --samples "$SAMPLES")
wait "$LOADER" || true
log "under load: $LOADED (load: $(cat "$RUN_DIR/load-fill.json"))"
stop_server "$HOST_PID"

python3 - "$PUTS" "$DRAIN" "$CPU_US" "$IDLE" "$LOADED" "$WORKERS" <<'PY' | tee "$RUN_DIR/summary.md"
import json, sys
fill, drain, cpu, idle, loaded, workers = sys.argv[1:]
fill, drain, idle, loaded = map(json.loads, (fill, drain, idle, loaded))
print(f"| queue benchmark ({workers} workers) | figure |")
print("|---|---|")
print(f"| fill through the Queue endpoint (8 SDK threads) | {fill.get('puts_per_s')} puts/s |")
print(f"| drain through the queue-triggered function | {drain.get('messages_per_s')} messages/s ({drain.get('messages')} in {drain.get('seconds')} s) |")
print(f"| host CPU per message while draining | {cpu} µs |")
print(f"| enqueue-to-invocation, idle | p50 {idle.get('p50_ms')} ms, p99 {idle.get('p99_ms')} ms |")
print(f"| enqueue-to-invocation, under load | p50 {loaded.get('p50_ms')} ms, p99 {loaded.get('p99_ms')} ms |")
PY
log "results in $RUN_DIR"
