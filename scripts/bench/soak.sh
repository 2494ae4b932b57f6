#!/usr/bin/env bash
# Soak: one host under steady HTTP load (hello + 64 KiB echoes) with idle connections, slow clients
# (one byte every 0.5 s), a worker crash every 10 s and stuck functions (async and sync, past
# functionTimeout) mixed in. Samples the host's RSS and open descriptors every 5 s; passes when both
# stay flat after warm-up and the host still serves at the end.
#
#   scripts/bench/soak.sh [--minutes M] [--ci] [--idle N] [--slow N]
#
# --minutes up to 1440 (hours-capable); --ci: 2 minutes with the debug build (what CI runs).
# Needs a release build of functions-host (FUNCTIONS_HOST_BIN, else .build/release, built if missing).
source "$(dirname "${BASH_SOURCE[0]}")/_common.sh"

MINUTES=10
EXTRA=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --minutes) MINUTES="$2"; shift 2 ;;
    --ci) MINUTES=2; export FUNCTIONS_HOST_BIN="${FUNCTIONS_HOST_BIN:-$REPO_ROOT/.build/debug/functions-host}"; shift ;;
    --idle|--slow) EXTRA+=("$1" "$2"); shift 2 ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $1" ;;
  esac
done
ensure_host
RUN_DIR="$OUT_DIR/soak-$(timestamp)"
mkdir -p "$RUN_DIR"
log "soak for $MINUTES minutes with $HOST_BIN"
"$PY" "$BENCH_DIR/_soak.py" --binary "$HOST_BIN" --minutes "$MINUTES" --out "$RUN_DIR/summary.json" "${EXTRA[@]}"
