# Shared helpers for scripts/bench/*.sh (sourced, not run).
# Everything listens on 127.0.0.1 only; every wait is bounded; every process a script starts is
# stopped by its pid (process group) when the script exits.

set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$BENCH_DIR/../.." && pwd)"
OUT_DIR="$REPO_ROOT/.build/bench"
VENV="$REPO_ROOT/.build/bench-venv"
PY="${BENCH_PYTHON:-python3}"
HELPER="$BENCH_DIR/_bench.py"
mkdir -p "$OUT_DIR"

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# --- processes we started ------------------------------------------------------------------------
# Each server runs under `setsid`, so its pid is also its process group id; stop_server signals the
# group (gunicorn/uvicorn masters and their workers; the host handles SIGTERM itself).
STARTED_PIDS=()

start_server() { # start_server LOGFILE CMD... ; sets SERVER_PID
  local logfile="$1"; shift
  setsid "$@" >"$logfile" 2>&1 </dev/null &
  SERVER_PID=$!
  STARTED_PIDS+=("$SERVER_PID")
}

descendants() { # descendants PID: every live process below PID
  local child
  for child in $(pgrep -P "$1" 2>/dev/null); do
    echo "$child"
    descendants "$child"
  done
}

stop_server() { # stop_server PID [grace seconds]
  local pid="$1" grace="${2:-15}" i kids left="" child
  kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
  kids=$(descendants "$pid" | tr '\n' ' ')
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < grace * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "pid $pid did not stop within ${grace}s; SIGKILL to its process group"
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
  # our host's workers live in process groups of their own: give them a moment to follow the host,
  # then stop the stragglers (by pid: they are processes this script's server started)
  for ((i = 0; i < 50; i++)); do
    left=""
    for child in $kids; do kill -0 "$child" 2>/dev/null && left+="$child "; done
    [[ -z "$left" ]] && break
    sleep 0.1
  done
  if [[ -n "${left:-}" ]]; then
    log "processes left behind by $pid: $left; SIGKILL"
    for child in $left; do kill -KILL "$child" 2>/dev/null || true; done
  fi
}

cleanup_servers() {
  local pid
  for pid in "${STARTED_PIDS[@]:-}"; do
    [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && stop_server "$pid" 5
  done
  return 0
}
trap cleanup_servers EXIT
trap 'exit 130' INT TERM

# --- ports and readiness -------------------------------------------------------------------------
free_port() {
  "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# wait_ready URL PID TIMEOUT_SECONDS: polls URL until it answers 200 (bounded), fails early if PID exits.
wait_ready() {
  "$PY" "$HELPER" wait-ready --url "$1" --pid "$2" --timeout "$3"
}

# --- tools ---------------------------------------------------------------------------------------
ensure_wrk() {
  command -v wrk >/dev/null 2>&1 && return 0
  log "wrk is missing; installing it from Debian's packages"
  if [[ $(id -u) -eq 0 ]]; then
    apt-get install -y wrk >/dev/null || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
  else
    sudo apt-get install -y wrk >/dev/null
  fi
  command -v wrk >/dev/null 2>&1 || die "could not install wrk"
}

# Our host, release build: FUNCTIONS_HOST_BIN, else .build/release/functions-host (built if missing).
# Sets HOST_BIN. Warns when a source file is newer than the binary.
ensure_host() {
  if [[ -n "${FUNCTIONS_HOST_BIN:-}" ]]; then
    [[ -x "$FUNCTIONS_HOST_BIN" ]] || die "FUNCTIONS_HOST_BIN=$FUNCTIONS_HOST_BIN is not executable"
    HOST_BIN="$FUNCTIONS_HOST_BIN"
  else
    HOST_BIN="$REPO_ROOT/.build/release/functions-host"
    if [[ ! -x "$HOST_BIN" ]]; then
      log "no release build of functions-host; building one (swift build -c release, ~12 min the first time)"
      (cd "$REPO_ROOT" && swift build -c release --product functions-host) >&2
      [[ -x "$HOST_BIN" ]] || die "the release build did not produce $HOST_BIN"
    fi
  fi
  local newer
  newer=$(find "$REPO_ROOT/Sources" -type f -newer "$HOST_BIN" -print -quit 2>/dev/null || true)
  if [[ -n "$newer" && -z "${FUNCTIONS_HOST_BIN:-}" ]]; then
    log "warning: $HOST_BIN is older than ${newer#"$REPO_ROOT"/} (run: swift build -c release --product functions-host)"
  fi
  log "functions-host binary: $HOST_BIN (built $(date -r "$HOST_BIN" '+%Y-%m-%d %H:%M'))"
}

host_supports() { # host_supports --flag : does `functions-host start --help` list it?
  "$HOST_BIN" start --help 2>&1 | grep -q -- "$1"
}

# The bundled worker's Python environment is prepared by the host on its first start (pip, ~5 s+);
# do that once, untimed, so measured starts find it warm. Uses the given app folder.
warm_host_env() {
  local app="$1" port pid logfile="$OUT_DIR/warmup-host.log"
  port=$(free_port)
  start_server "$logfile" "$HOST_BIN" start --script-root "$app" --port "$port" --workers 1
  pid=$SERVER_PID
  if ! wait_ready "http://127.0.0.1:$port/admin/host/ping" "$pid" 300; then
    tail -n 30 "$logfile" >&2
    die "functions-host did not start (log: $logfile)"
  fi
  stop_server "$pid"
}

# The peers' throwaway virtual environment (.build/bench-venv), reinstalled when requirements change.
ensure_peer_venv() {
  local req="$REPO_ROOT/Examples/bench/peers/requirements.txt" stamp="$VENV/.bench-requirements"
  if [[ -x "$VENV/bin/python" && -f "$stamp" ]] && cmp -s "$req" "$stamp"; then return 0; fi
  log "preparing the peers' virtual environment in $VENV (PyPI)"
  [[ -x "$VENV/bin/python" ]] || "$PY" -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q --upgrade pip >&2
  "$VENV/bin/python" -m pip install -q -r "$req" >&2
  cp "$req" "$stamp"
}

timestamp() { date +%Y%m%d-%H%M%S; }
