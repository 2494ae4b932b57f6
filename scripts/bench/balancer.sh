#!/usr/bin/env bash
# Issue 4's proof for the load balancer and worker supervision (127.0.0.1 only, bounded).
#
#   scripts/bench/balancer.sh [all|skewed|chaos] [--quick] [--rounds R] [--rate R | --connections C]
#                             [--duration S] [--heavy-fraction F] [--heavy-mode cpu|wall|sleep] [--heavy-ms MS]
#                             [--chaos-duration S] [--chaos-connections C] [--chaos-interval S]
#
# (a) skewed: 4 workers, Examples/bench/skewed (a sync function, one thread per worker via
#     PYTHON_THREADPOOL_THREAD_COUNT=1): 10% of calls burn 200 ms of CPU, the rest are cheap
#     (--heavy-mode wall: spin 200 ms of wall time; sleep: block 200 ms without CPU).
#     host.json "functionsHost": {"loadBalancing": "leastOutstanding"} vs "roundRobin", interleaved;
#     default load: open loop at 40 requests/s for 30 s. Target: p99(LOR) <= 0.5 x p99(RR).
# (b) chaos: 4 workers, the hello app, steady closed-loop load (16 connections) for 30 s and a kill -9
#     of one worker every 2 s. Counts requests, failures, hung (> 10 s) requests and the time from each
#     kill to the host's "worker N is ready" line for its replacement.
#     Targets: 0 hung, >= 99% succeeded, replacement < 2 s.
source "$(dirname "${BASH_SOURCE[0]}")/_common.sh"

WHAT=all
ROUNDS=1
RATE=40
CONNECTIONS=""
DURATION=30
HEAVY=0.1
HEAVY_MODE=cpu
HEAVY_MS=200
WORKERS=4
CHAOS_DURATION=30
CHAOS_CONNECTIONS=16
CHAOS_INTERVAL=2
while [[ $# -gt 0 ]]; do
  case "$1" in
    all|skewed|chaos) WHAT="$1"; shift ;;
    --quick) DURATION=8; CHAOS_DURATION=8; shift ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    --rate) RATE="$2"; CONNECTIONS=""; shift 2 ;;
    --connections) CONNECTIONS="$2"; shift 2 ;;
    --duration) DURATION="$2"; shift 2 ;;
    --heavy-fraction) HEAVY="$2"; shift 2 ;;
    --heavy-mode) HEAVY_MODE="$2"; shift 2 ;;
    --heavy-ms) HEAVY_MS="$2"; shift 2 ;;
    --chaos-duration) CHAOS_DURATION="$2"; shift 2 ;;
    --chaos-connections) CHAOS_CONNECTIONS="$2"; shift 2 ;;
    --chaos-interval) CHAOS_INTERVAL="$2"; shift 2 ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $1" ;;
  esac
done
case "$HEAVY_MODE" in cpu|wall|sleep) ;; *) die "--heavy-mode takes cpu, wall or sleep" ;; esac
(( ROUNDS >= 1 && ROUNDS <= 10 )) || die "--rounds must be 1..10"
(( DURATION >= 1 && DURATION <= 300 && CHAOS_DURATION >= 1 && CHAOS_DURATION <= 300 )) || die "durations must be 1..300 s"

ensure_host
TS=$(timestamp)
RUN_DIR="$OUT_DIR/balancer-$TS"
mkdir -p "$RUN_DIR"
log "results in $RUN_DIR"
warm_host_env "$REPO_ROOT/Examples/bench/hello"
REPORT_ARGS=()

if [[ "$WHAT" == all || "$WHAT" == skewed ]]; then
  if [[ -n "$CONNECTIONS" ]]; then LOAD=(--connections "$CONNECTIONS"); else LOAD=(--rate "$RATE" --threads 64); fi
  for ((round = 1; round <= ROUNDS; round++)); do
    order=(leastOutstanding roundRobin)
    (( round % 2 == 0 )) && order=(roundRobin leastOutstanding)
    for strategy in "${order[@]}"; do
      app="$RUN_DIR/app-$strategy-r$round"
      cp -R "$REPO_ROOT/Examples/bench/skewed" "$app"
      "$PY" - "$app/host.json" "$strategy" <<'PYEOF'
import json, sys
path, strategy = sys.argv[1:3]
doc = json.load(open(path))
doc.setdefault("functionsHost", {})["loadBalancing"] = strategy
json.dump(doc, open(path, "w"), indent=2)
PYEOF
      port=$(free_port)
      url="http://127.0.0.1:$port/api/work"
      start_server "$RUN_DIR/skewed-$strategy-r$round.host.log" "$HOST_BIN" start --script-root "$app" \
        --port "$port" --workers "$WORKERS"
      pid=$SERVER_PID
      wait_ready "$url" "$pid" 120 || { tail -n 20 "$RUN_DIR/skewed-$strategy-r$round.host.log" >&2; die "host did not start"; }
      log "skewed, round $round: $strategy (pid $pid, $WORKERS workers)"
      # warm-up: cheap calls only, so every worker has run the function once
      "$PY" "$HELPER" load --url "$url" --duration 1 --connections 4 >/dev/null
      "$PY" "$HELPER" load --url "$url" "${LOAD[@]}" --duration "$DURATION" --heavy-fraction "$HEAVY" \
        --heavy-query "heavy=1&mode=$HEAVY_MODE&ms=$HEAVY_MS" --seed "$round" --label "$strategy" --out "$RUN_DIR/skewed-$strategy-r$round.json"
      stop_server "$pid"
      REPORT_ARGS+=(--skewed "$strategy=$RUN_DIR/skewed-$strategy-r$round.json")
    done
  done
fi

if [[ "$WHAT" == all || "$WHAT" == chaos ]]; then
  port=$(free_port)
  url="http://127.0.0.1:$port/api/hello?name=bench"
  hostlog="$RUN_DIR/chaos.host.log"
  start_server "$hostlog" "$HOST_BIN" start --script-root "$REPO_ROOT/Examples/bench/hello" --port "$port" \
    --workers "$WORKERS" --log-level info
  pid=$SERVER_PID
  wait_ready "$url" "$pid" 120 || { tail -n 20 "$hostlog" >&2; die "host did not start"; }
  # all workers ready before the first kill (bounded)
  for ((i = 0; i < 200; i++)); do
    (( $(grep -c ' is ready' "$hostlog" || true) >= WORKERS )) && break
    sleep 0.05
  done
  log "chaos: pid $pid, $WORKERS workers ($(pgrep -P "$pid" | tr '\n' ' ')), kill -9 every ${CHAOS_INTERVAL}s for ${CHAOS_DURATION}s"
  "$PY" "$HELPER" load --url "$url" --connections "$CHAOS_CONNECTIONS" --duration "$CHAOS_DURATION" \
    --chaos-host-pid "$pid" --chaos-log "$hostlog" --chaos-interval "$CHAOS_INTERVAL" --label chaos \
    --out "$RUN_DIR/chaos.json"
  kill -0 "$pid" 2>/dev/null || die "the host itself died during the chaos run (log: $hostlog)"
  stop_server "$pid"
  REPORT_ARGS+=(--chaos "$RUN_DIR/chaos.json")
fi

"$PY" "$HELPER" balancer-report "${REPORT_ARGS[@]}" --out "$OUT_DIR/balancer-$TS.json"
