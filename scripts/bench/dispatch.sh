#!/usr/bin/env bash
# Host-only capacity: drives FunctionsHost.invoke in-process (no HTTP) against
#  (a) the scripted Swift fake worker over gRPC (so the worker side costs little), and
#  (b) the bundled Python worker over gRPC and over the Unix-socket transport,
# and prints invocations/s, latency and the host process's CPU per invocation.
# Usage: scripts/bench/dispatch.sh [--seconds S]      (release build: FUNCTIONS_HOST_BIN or .build/release)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BIN="${FUNCTIONS_HOST_BIN:-$ROOT/.build/release/functions-host}"
SECONDS_PER_RUN=10
[[ "${1:-}" == "--seconds" ]] && SECONDS_PER_RUN="$2"
if [[ ! -x "$BIN" ]]; then (cd "$ROOT" && swift build -c release --product functions-host); fi
APP="$ROOT/Examples/bench/hello"
echo "== fake Swift worker (gRPC), 2 workers"
"$BIN" bench-dispatch --script-root "$APP" --function hello --workers 2 --transport grpc --seconds "$SECONDS_PER_RUN" \
  --worker-command "$BIN fake-worker --mode conforming" 2>/dev/null | tail -1
for t in grpc uds; do
  echo "== bundled Python worker ($t), 2 workers"
  "$BIN" bench-dispatch --script-root "$APP" --function hello --workers 2 --transport "$t" --seconds "$SECONDS_PER_RUN" 2>/dev/null | tail -1
done
