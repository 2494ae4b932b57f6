#!/usr/bin/env bash
# End-to-end hello world (`return f"Hello, {name}!"`) through functions-host and its peers, interleaved
# in one run, measured with wrk on 127.0.0.1. See scripts/bench/README.md.
#
#   scripts/bench/peers.sh [--quick] [--rounds R] [--only ours|peers] [--transport grpc|uds|grpc,uds]
#                          [--variants async,sync] [--workers "1 2 4"] [--duration S] [--duration-1c S]
#                          [--warmup S]
#
#   Ours runs the async hello world (`async def main`) and the guide's sync one (`def main`, thread pool);
#   for ours the report also gives the host's own CPU per request (utime+stime of the host process over
#   the c64 run ÷ its requests).
#   OURS_EXTRA_ARGS="--no-metrics" adds flags to every functions-host start (e.g. to measure the metrics' cost).
#   OURS_ALT_ARGS="--no-event-loop-invocations" also runs ours with those flags, labelled [alt], interleaved.
# Needs: wrk (installed from Debian's packages if missing), python3, a release build of functions-host
# (FUNCTIONS_HOST_BIN, else .build/release, built if missing), PyPI for the peers' venv.
source "$(dirname "${BASH_SOURCE[0]}")/_common.sh"

ROUNDS=2
DURATION=10      # wrk -t2 -c64 -d${DURATION}s
DURATION_1C=5    # wrk -t1 -c1 -d${DURATION_1C}s
WARMUP=2         # wrk -t2 -c64 before the measured runs of each server start (not recorded)
ONLY=""
TRANSPORTS=""
VARIANTS="async sync"
OUR_WORKERS="2 1 4"
PEER_WORKERS="2 1"
READY_TIMEOUT=180

usage() { sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) ROUNDS=1; DURATION=3; DURATION_1C=2; WARMUP=1; shift ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    --duration) DURATION="$2"; shift 2 ;;
    --duration-1c) DURATION_1C="$2"; shift 2 ;;
    --warmup) WARMUP="$2"; shift 2 ;;
    --only) ONLY="$2"; shift 2 ;;
    --transport) TRANSPORTS="${2//,/ }"; shift 2 ;;
    --variants) VARIANTS="${2//,/ }"; shift 2 ;;
    --workers) OUR_WORKERS="$2"; shift 2 ;;
    -h|--help) usage 0 ;;
    *) log "unknown argument: $1"; usage 2 ;;
  esac
done
case "$ONLY" in ""|ours|peers) ;; *) die "--only takes ours or peers" ;; esac
# bounds: at most 10 rounds, 60 s per wrk run
(( ROUNDS >= 1 && ROUNDS <= 10 )) || die "--rounds must be 1..10"
(( DURATION >= 1 && DURATION <= 60 && DURATION_1C >= 1 && DURATION_1C <= 60 && WARMUP >= 0 && WARMUP <= 30 )) \
  || die "durations must be 1..60 s (warm-up 0..30 s)"

ensure_wrk
APP_OURS="$REPO_ROOT/Examples/bench/hello"
APP_PEERS="$REPO_ROOT/Examples/bench/peers"
TS=$(timestamp)
RUN_DIR="$OUT_DIR/peers-$TS"
mkdir -p "$RUN_DIR"
RESULTS="$RUN_DIR/runs.jsonl"
: >"$RESULTS"

# --- which servers ------------------------------------------------------------------------------------
OUR_TRANSPORTS=("")
if [[ "$ONLY" != "peers" ]]; then
  ensure_host
  if [[ -n "$TRANSPORTS" ]]; then
    if host_supports "--transport"; then
      read -r -a OUR_TRANSPORTS <<<"$TRANSPORTS"
    else
      log "this functions-host has no --transport flag; running its default transport only"
    fi
  fi
  warm_host_env "$APP_OURS"
fi
if [[ "$ONLY" != "ours" ]]; then
  ensure_peer_venv
fi

# Interleaved order: the 2-worker setups first (the targets), then 1 worker, then ours with 4.
CONFIGS=()
add_ours() {
  local t v
  for t in "${OUR_TRANSPORTS[@]}"; do for v in $VARIANTS; do CONFIGS+=("ours:$1:$t:$v"); done; done
  if [[ -n "${OURS_ALT_ARGS:-}" ]]; then for v in $VARIANTS; do CONFIGS+=("ours:$1:alt:$v"); done; fi
}
add_peers() { CONFIGS+=("ff-asgi:$1::" "uvicorn:$1::" "ff-default:$1::"); }
for n in 2 1 4; do
  if [[ " $OUR_WORKERS " == *" $n "* && "$ONLY" != "peers" ]]; then add_ours "$n"; fi
  if [[ " $PEER_WORKERS " == *" $n "* && "$ONLY" != "ours" ]]; then add_peers "$n"; fi
done
for n in $OUR_WORKERS; do  # any other worker counts asked for
  if [[ "$n" != 1 && "$n" != 2 && "$n" != 4 && "$ONLY" != "peers" ]]; then add_ours "$n"; fi
done
(( ${#CONFIGS[@]} > 0 )) || die "nothing to run"

# --- one server: start, wait, warm up, measure, stop ------------------------------------------------------
host_cpu_ticks() { # host_cpu_ticks PID: utime+stime of that process, in clock ticks
  awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0
}

run_config() { # run_config KIND WORKERS TRANSPORT VARIANT ROUND
  local kind="$1" workers="$2" transport="$3" variant="$4" round="$5" port url config logfile pid
  port=$(free_port)
  config="$kind${transport:+[$transport]}-$workers${variant:+-$variant}"
  logfile="$RUN_DIR/$config-r$round.server.log"
  case "$kind" in
    ours)
      if [[ "$variant" == sync ]]; then url="http://127.0.0.1:$port/api/hello_sync?name=bench"
      else url="http://127.0.0.1:$port/api/hello?name=bench"; fi
      local args=(start --script-root "$APP_OURS" --port "$port" --workers "$workers")
      if [[ "$transport" == alt ]]; then read -r -a alt <<< "$OURS_ALT_ARGS"; args+=("${alt[@]}")
      elif [[ -n "$transport" ]]; then args+=(--transport "$transport"); fi
      [[ -n "${OURS_EXTRA_ARGS:-}" ]] && read -r -a extra <<< "$OURS_EXTRA_ARGS" && args+=("${extra[@]}")
      start_server "$logfile" "$HOST_BIN" "${args[@]}" ;;
    ff-default)
      url="http://127.0.0.1:$port/?name=bench"
      start_server "$logfile" env WORKERS="$workers" "$VENV/bin/functions-framework" \
        --target hello --source "$APP_PEERS/ff_app.py" --host 127.0.0.1 --port "$port" ;;
    ff-asgi)
      url="http://127.0.0.1:$port/?name=bench"
      start_server "$logfile" env WORKERS="$workers" "$VENV/bin/functions-framework" \
        --target hello_async --source "$APP_PEERS/ff_app.py" --asgi --host 127.0.0.1 --port "$port" ;;
    uvicorn)
      url="http://127.0.0.1:$port/?name=bench"
      start_server "$logfile" "$VENV/bin/uvicorn" --app-dir "$APP_PEERS" asgi_app:app \
        --host 127.0.0.1 --port "$port" --workers "$workers" --loop uvloop --http httptools \
        --no-access-log --log-level warning ;;
  esac
  pid=$SERVER_PID
  if ! wait_ready "$url" "$pid" "$READY_TIMEOUT"; then
    tail -n 20 "$logfile" >&2
    stop_server "$pid"
    die "$config did not become ready (log: $logfile)"
  fi
  local body
  body=$(curl -s --max-time 5 "$url")
  [[ "$body" == "Hello, bench!" ]] || { stop_server "$pid"; die "$config answered '$body' instead of 'Hello, bench!'"; }
  log "round $round: $config (pid $pid) on :$port"
  if (( WARMUP > 0 )); then wrk -t2 -c64 -d"${WARMUP}s" "$url" >/dev/null; fi
  local out ticks_before ticks_after
  for spec in "2 64 $DURATION" "1 1 $DURATION_1C"; do
    read -r threads conns secs <<<"$spec"
    out="$RUN_DIR/$config-r$round-c$conns.wrk.txt"
    ticks_before=$(host_cpu_ticks "$pid")
    wrk -t"$threads" -c"$conns" -d"${secs}s" --latency "$url" >"$out"
    ticks_after=$(host_cpu_ticks "$pid")
    "$PY" "$HELPER" parse-wrk "$out" --config "$config" --kind "$kind" --workers "$workers" \
      --transport "$transport" --variant "$variant" --round "$round" --connections "$conns" --threads "$threads" \
      --duration "$secs" --cpu-ticks "$(( ticks_after - ticks_before ))" >>"$RESULTS" || log "could not parse $out"
  done
  stop_server "$pid"
}

total=$(( ${#CONFIGS[@]} * ROUNDS ))
log "$total server runs: ${CONFIGS[*]} x $ROUNDS round(s); wrk -c64 ${DURATION}s and -c1 ${DURATION_1C}s each"
for ((round = 1; round <= ROUNDS; round++)); do
  for c in "${CONFIGS[@]}"; do
    IFS=: read -r kind workers transport variant <<<"$c"
    run_config "$kind" "$workers" "$transport" "$variant" "$round"
  done
done

META=$("$PY" - "${HOST_BIN:-}" "$ROUNDS" "$DURATION" "$DURATION_1C" "$WARMUP" "$REPO_ROOT" <<'EOF'
import json, os, platform, subprocess, sys
bin_, rounds, d, d1, w, root = sys.argv[1:7]
def run(*cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=10).stdout.strip()
    except Exception:
        return None
print(json.dumps({
    "host_bin": bin_ or None, "rounds": int(rounds), "wrk_c64": f"-t2 -c64 -d{d}s", "wrk_c1": f"-t1 -c1 -d{d1}s",
    "warmup_s": int(w), "cpus": os.cpu_count(), "kernel": platform.release(), "python": platform.python_version(),
    "git": run("git", "-C", root, "rev-parse", "--short", "HEAD"),
    "wrk": run("sh", "-c", "wrk --version 2>&1 | head -1"),
    "load_average": open("/proc/loadavg").read().split()[:3],
}))
EOF
)
"$PY" "$HELPER" peers-report "$RESULTS" --meta "$META" --out "$OUT_DIR/results-$TS.json"
log "raw wrk output and server logs: $RUN_DIR"
