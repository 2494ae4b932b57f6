#!/usr/bin/env bash
# Two builds of functions-host (or one build with two sets of flags) side by side: both serve the bench
# hello world at once and wrk alternates between them, so machine noise hits both alike. Reports, per
# side, the host's CPU per request (utime+stime ÷ requests), its workers' CPU per request and req/s, each
# as the median of the rounds. See scripts/bench/README.md.
#
#   scripts/bench/ab-host.sh BIN_A BIN_B [--rounds R] [--duration S] [--path /api/hello_sync?name=bench]
#                            [--args-a "..."] [--args-b "..."]
#
#   BIN_B may be the same file as BIN_A with other --args-b (e.g. --no-event-loop-invocations).
# Needs: wrk (installed from Debian's packages if missing), python3, two functions-host binaries.
source "$(dirname "${BASH_SOURCE[0]}")/_common.sh"

[[ $# -ge 2 ]] || { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
BIN_A="$1"; BIN_B="$2"; shift 2
ROUNDS=6; DURATION=4; REQUEST_PATH="/api/hello?name=bench"; ARGS_A=""; ARGS_B=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) ROUNDS="$2"; shift 2 ;;
    --duration) DURATION="$2"; shift 2 ;;
    --path) REQUEST_PATH="$2"; shift 2 ;;
    --args-a) ARGS_A="$2"; shift 2 ;;
    --args-b) ARGS_B="$2"; shift 2 ;;
    *) die "unknown argument: $1" ;;
  esac
done
(( ROUNDS >= 1 && ROUNDS <= 20 && DURATION >= 1 && DURATION <= 30 )) || die "--rounds 1..20, --duration 1..30 s"
[[ -x "$BIN_A" && -x "$BIN_B" ]] || die "both binaries must exist and be executable"
ensure_wrk
APP="$REPO_ROOT/Examples/bench/hello"
RUN_DIR="$OUT_DIR/ab-$(timestamp)"
mkdir -p "$RUN_DIR"

ticks() { # ticks PID...: utime+stime of those processes, in clock ticks
  local total=0 pid
  for pid in "$@"; do total=$((total + $(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo 0))); done
  echo "$total"
}

declare -A PORT PID HOST_US WORKER_US RPS
for side in A B; do
  bin_var="BIN_$side"; args_var="ARGS_$side"
  read -r -a extra <<< "${!args_var}"
  PORT[$side]=$(free_port)
  start_server "$RUN_DIR/$side.server.log" "${!bin_var}" start --script-root "$APP" --port "${PORT[$side]}" \
    --workers 2 --no-reload "${extra[@]}"
  PID[$side]=$SERVER_PID
  wait_ready "http://127.0.0.1:${PORT[$side]}$REQUEST_PATH" "${PID[$side]}" 180 || die "side $side did not start"
  wrk -t2 -c64 -d2s "http://127.0.0.1:${PORT[$side]}$REQUEST_PATH" > /dev/null  # warm-up, not recorded
done

tick_hz=$(getconf CLK_TCK)
for round in $(seq 1 "$ROUNDS"); do
  for side in A B; do
    pid=${PID[$side]}
    mapfile -t workers < <(pgrep -P "$pid")
    host_before=$(ticks "$pid"); workers_before=$(ticks "${workers[@]}")
    out=$(wrk -t2 -c64 -d"${DURATION}s" "http://127.0.0.1:${PORT[$side]}$REQUEST_PATH")
    host_after=$(ticks "$pid"); workers_after=$(ticks "${workers[@]}")
    requests=$(awk '/requests in/ { print $1 }' <<< "$out")
    (( requests > 0 )) || die "side $side served no request in round $round"
    HOST_US[$side]+=" $(python3 -c "print(round(($host_after - $host_before) * 1e6 / $tick_hz / $requests, 1))")"
    WORKER_US[$side]+=" $(python3 -c "print(round(($workers_after - $workers_before) * 1e6 / $tick_hz / $requests, 1))")"
    RPS[$side]+=" $(awk '/Requests\/sec/ { print int($2) }' <<< "$out")"
  done
  log "round $round of $ROUNDS done"
done

median() { python3 -c "import statistics, sys; print(statistics.median(map(float, sys.argv[1:])))" "$@"; }
printf '%-4s %-40s %14s %16s %12s\n' side binary "host us/req" "workers us/req" "req/s"
for side in A B; do
  bin_var="BIN_$side"; args_var="ARGS_$side"
  read -r -a host <<< "${HOST_US[$side]}"; read -r -a wk <<< "${WORKER_US[$side]}"; read -r -a rps <<< "${RPS[$side]}"
  printf '%-4s %-40s %14s %16s %12s\n' "$side" "$(basename "${!bin_var}") ${!args_var}" \
    "$(median "${host[@]}")" "$(median "${wk[@]}")" "$(median "${rps[@]}")"
  echo "     host per round:${HOST_US[$side]}" >&2
done
