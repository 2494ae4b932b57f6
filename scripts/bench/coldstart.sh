#!/usr/bin/env bash
# Cold start: `functions-host start` to the first 200 of the hello function, with a warm Python
# environment (one untimed start first prepares it). Repeated; reports min/median/max.
#
#   scripts/bench/coldstart.sh [--quick] [--repeat N] [--workers N] [-- extra functions-host start args]
#
# Target (issue 6): <= 1.5 s. Uses a release build (FUNCTIONS_HOST_BIN or .build/release; built if none).
source "$(dirname "${BASH_SOURCE[0]}")/_common.sh"

REPEAT=5
WORKERS=1
EXTRA=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) REPEAT=2; shift ;;
    --repeat) REPEAT="$2"; shift 2 ;;
    --workers) WORKERS="$2"; shift 2 ;;
    --) shift; EXTRA=("$@"); break ;;
    -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $1" ;;
  esac
done
(( REPEAT >= 1 && REPEAT <= 50 )) || die "--repeat must be 1..50"

ensure_host
APP="$REPO_ROOT/Examples/bench/hello"
TS=$(timestamp)
RUN_DIR="$OUT_DIR/coldstart-$TS"
mkdir -p "$RUN_DIR"
log "warming the Python environment (untimed start)"
warm_host_env "$APP"
PORT=$(free_port)
"$PY" "$HELPER" coldstart --bin "$HOST_BIN" --app "$APP" --port "$PORT" --workers "$WORKERS" \
  --repeat "$REPEAT" --timeout 60 --logdir "$RUN_DIR" --out "$OUT_DIR/coldstart-$TS.json" -- "${EXTRA[@]}"
