#!/usr/bin/env bash
# Host memory: VmRSS of the functions-host process itself (not its workers) when idle, and after N
# invocations of the hello function driven by wrk at 64 connections (bounded by --max-seconds).
#
#   scripts/bench/memory.sh [--quick] [--invocations N] [--max-seconds S] [--workers N] [--connections C]
#
# Targets (issue 6): <= 60 MB idle; flat (within 10%) after 1,000,000 invocations.
source "$(dirname "${BASH_SOURCE[0]}")/_common.sh"

INVOCATIONS=1000000
MAX_SECONDS=600
WORKERS=2
CONNECTIONS=64
SETTLE=3
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) INVOCATIONS=20000; MAX_SECONDS=20; SETTLE=1; shift ;;
    --invocations) INVOCATIONS="$2"; shift 2 ;;
    --max-seconds) MAX_SECONDS="$2"; shift 2 ;;
    --workers) WORKERS="$2"; shift 2 ;;
    --connections) CONNECTIONS="$2"; shift 2 ;;
    -h|--help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $1" ;;
  esac
done
(( INVOCATIONS >= 1 && INVOCATIONS <= 100000000 )) || die "--invocations must be 1..100000000"
(( MAX_SECONDS >= 1 && MAX_SECONDS <= 3600 )) || die "--max-seconds must be 1..3600"

ensure_wrk
ensure_host
APP="$REPO_ROOT/Examples/bench/hello"
TS=$(timestamp)
RUN_DIR="$OUT_DIR/memory-$TS"
mkdir -p "$RUN_DIR"
warm_host_env "$APP"

rss() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }          # KiB
hwm() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }          # KiB, peak
workers_rss() { local sum=0 k v; for k in $(pgrep -P "$1"); do v=$(rss "$k" 2>/dev/null || true); sum=$((sum + ${v:-0})); done; echo "$sum"; }

PORT=$(free_port)
URL="http://127.0.0.1:$PORT/api/hello?name=bench"
start_server "$RUN_DIR/host.log" "$HOST_BIN" start --script-root "$APP" --port "$PORT" --workers "$WORKERS"
PID=$SERVER_PID
wait_ready "$URL" "$PID" 120 || { tail -n 20 "$RUN_DIR/host.log" >&2; die "host did not start"; }
sleep "$SETTLE"
IDLE=$(rss "$PID")
IDLE_WORKERS=$(workers_rss "$PID")
log "idle: host VmRSS $((IDLE / 1024)) MiB (workers together $((IDLE_WORKERS / 1024)) MiB)"

# wrk with count.lua, interrupted (SIGINT, so it still reports) as soon as every thread has its share
run_count() { # run_count N OUTFILE [wrk args...]
  local n="$1" out="$2" markers i wrk_pid; shift 2
  markers=$(mktemp -d "$RUN_DIR/markers-XXXX")
  wrk -t2 -c"$CONNECTIONS" -d"${MAX_SECONDS}s" "$@" -s "$BENCH_DIR/count.lua" "$URL" -- "$n" 2 "$markers" >"$out" &
  wrk_pid=$!
  while kill -0 "$wrk_pid" 2>/dev/null; do
    if (( $(ls "$markers" | wc -l) >= 2 )); then kill -INT "$wrk_pid" 2>/dev/null || true; break; fi
    sleep 0.2
  done
  wait "$wrk_pid" || true
  rm -rf "$markers"
}

# a short warm-up (1% of the run, at most 10,000 calls), so one-time allocations are not counted as growth
WARM=$(( INVOCATIONS / 100 )); (( WARM > 10000 )) && WARM=10000; (( WARM < 100 )) && WARM=100
run_count "$WARM" "$RUN_DIR/warmup.wrk.txt"
sleep "$SETTLE"
WARMED=$(rss "$PID")
log "after $WARM warm-up calls: host VmRSS $((WARMED / 1024)) MiB"

log "driving $INVOCATIONS invocations at $CONNECTIONS connections (at most ${MAX_SECONDS}s)"
run_count "$INVOCATIONS" "$RUN_DIR/run.wrk.txt" --latency
sleep "$SETTLE"
AFTER=$(rss "$PID")
PEAK=$(hwm "$PID")
AFTER_WORKERS=$(workers_rss "$PID")
kill -0 "$PID" 2>/dev/null || die "the host exited during the run (log: $RUN_DIR/host.log)"
stop_server "$PID"

"$PY" - "$RUN_DIR/run.wrk.txt" "$OUT_DIR/memory-$TS.json" "$INVOCATIONS" "$MAX_SECONDS" "$WORKERS" "$CONNECTIONS" \
  "$IDLE" "$WARMED" "$AFTER" "$PEAK" "$IDLE_WORKERS" "$AFTER_WORKERS" "$HELPER" <<'PYEOF'
import importlib.util, json, sys
run, out, n, max_s, workers, conns, idle, warmed, after, peak, idle_w, after_w, helper = sys.argv[1:14]
spec = importlib.util.spec_from_file_location("bench", helper)
bench = importlib.util.module_from_spec(spec); spec.loader.exec_module(bench)
w = bench.parse_wrk(open(run).read())
idle, warmed, after, peak = int(idle), int(warmed), int(after), int(peak)
done = w["requests"] or 0
res = {
    "invocations_asked": int(n), "invocations_done": done, "seconds": w["seconds"], "rps": w["rps"],
    "errors": w["errors"], "workers": int(workers), "connections": int(conns), "max_seconds": int(max_s),
    "host_rss_idle_kib": idle, "host_rss_after_warmup_kib": warmed, "host_rss_after_kib": after,
    "host_rss_peak_kib": peak, "workers_rss_idle_kib": int(idle_w), "workers_rss_after_kib": int(after_w),
    "change_vs_idle_pct": 100.0 * (after - idle) / idle, "change_vs_warmup_pct": 100.0 * (after - warmed) / warmed,
}
res["met_idle_60mb"] = idle <= 60 * 1024
res["met_flat_10pct"] = abs(res["change_vs_idle_pct"]) <= 10.0
print(f"\nhost RSS (functions-host process only, {workers} workers):")
print(f"  idle                 {idle / 1024:8.1f} MiB   (target <= 60 MB: {'met' if res['met_idle_60mb'] else 'NOT met'})")
print(f"  after warm-up        {warmed / 1024:8.1f} MiB")
print(f"  after {done:>9,} calls {after / 1024:8.1f} MiB   change {res['change_vs_idle_pct']:+.1f}% vs idle, "
      f"{res['change_vs_warmup_pct']:+.1f}% vs warm-up (target within 10%: {'met' if res['met_flat_10pct'] else 'NOT met'})")
print(f"  peak (VmHWM)         {peak / 1024:8.1f} MiB")
print(f"  workers together: {int(idle_w) / 1024:.1f} MiB idle, {int(after_w) / 1024:.1f} MiB after")
print(f"  load: {done:,} requests in {w['seconds'] or 0:.1f} s ({w['rps'] or 0:,.0f}/s), errors {w['errors']}")
if done < int(n):
    print(f"  note: stopped by --max-seconds {max_s} before {int(n):,} invocations")
json.dump(res, open(out, "w"), indent=2)
print(f"results: {out}")
PYEOF
