#!/usr/bin/env bash
# Queue drain throughput: the embedded store against 1, 2 and 3 hosts sharing one PostgreSQL (a
# throwaway cluster started here, on a free loopback port). Each configuration: N messages put straight
# into the store, then the hosts started together drain them through a queue-triggered function; the
# clock runs from the first host's workers being ready to an empty queue.
#
#   scripts/bench/queue-hosts.sh [--messages N] [--workers W] [--hosts "1,2,3"]
#
# Needs a release build of functions-host (FUNCTIONS_HOST_BIN, else .build/release, built if missing) and
# PostgreSQL from Debian's packages. On one machine the hosts share its cores with the database: the
# figures show the cost of sharing, not the scale-out of several machines.
source "$(dirname "${BASH_SOURCE[0]}")/_common.sh"

MESSAGES=20000
WORKERS=2
HOSTS="1,2,3"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --messages) MESSAGES="$2"; shift 2 ;;
    --workers) WORKERS="$2"; shift 2 ;;
    --hosts) HOSTS="$2"; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $1" ;;
  esac
done
(( MESSAGES >= 100 && MESSAGES <= 200000 )) || die "--messages must be 100..200000"
(( WORKERS >= 1 && WORKERS <= 8 )) || die "--workers must be 1..8"
[[ "$HOSTS" =~ ^[1-4](,[1-4])*$ ]] || die "--hosts takes a list of 1..4, e.g. 1,2,3"
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || die "PostgreSQL is not installed (apt-get install postgresql)"

ensure_host
RUN_DIR="$OUT_DIR/queue-hosts-$(timestamp)"
mkdir -p "$RUN_DIR"
QVENV="$REPO_ROOT/.build/bench-queue-venv"
if [[ ! -x "$QVENV/bin/python" ]]; then
  log "preparing $QVENV (azure-storage-queue from PyPI)"
  "$PY" -m venv "$QVENV"
  "$QVENV/bin/python" -m pip install -q azure-storage-queue >&2
fi
"$QVENV/bin/python" "$BENCH_DIR/_queue_hosts.py" --binary "$HOST_BIN" --app "$REPO_ROOT/Examples/bench/queue" \
  --messages "$MESSAGES" --workers "$WORKERS" --hosts "$HOSTS" --run-dir "$RUN_DIR" | tee "$RUN_DIR/summary.md"
log "results in $RUN_DIR"
