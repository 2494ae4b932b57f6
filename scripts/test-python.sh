#!/usr/bin/env bash
# Runs the pytest suite of the bundled Python worker (Tests/python), then the unit tests of the
# example apps as the developer guide writes them (Examples/*/tests, run from the example folder so
# that `from __app__.HttpTrigger import my_function` and `import function_app` resolve).
#
# Creates (or reuses) a virtualenv with the worker's requirements.txt plus pytest, then runs
#   python -m pytest Tests/python -q [extra pytest args]
#   (cd Examples/<app> && python -m pytest tests -q)      for every example with a tests/ folder
#
# Environment:
#   FUNCTIONS_HOST_TEST_VENV  venv location (default: $ROOT/.build/python-test-venv)
#   PYTHON                    interpreter used to create the venv (default: python3)
# Usage: scripts/test-python.sh [pytest args...]   (from any directory)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${FUNCTIONS_HOST_TEST_VENV:-$ROOT/.build/python-test-venv}"
PYTHON="${PYTHON:-python3}"
REQUIREMENTS="$ROOT/Sources/FunctionsPythonWorker/Resources/requirements.txt"
TEST_REQUIREMENTS="pytest>=8,<10 azure-storage-blob>=12.19 azure-storage-queue>=12.9 opentelemetry-proto>=1.30,<2 fastapi>=0.110,<1 azurefunctions-extensions-http-fastapi>=1.0,<2"

log() { printf '[test-python] %s\n' "$*" >&2; }

if [[ ! -x "$VENV/bin/python" ]]; then
  log "creating virtualenv $VENV"
  mkdir -p "$(dirname "$VENV")"
  "$PYTHON" -m venv "$VENV"
fi

# Reinstall only when the requirements (or the interpreter) changed since the last install.
STAMP="$VENV/.functions-host-requirements"
WANT="$("$VENV/bin/python" -c 'import sys; print(sys.version)'; cat "$REQUIREMENTS"; echo "$TEST_REQUIREMENTS")"
if [[ ! -f "$STAMP" || "$(cat "$STAMP")" != "$WANT" ]]; then
  log "installing $(basename "$REQUIREMENTS") + $TEST_REQUIREMENTS"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    -r "$REQUIREMENTS" $TEST_REQUIREMENTS
  printf '%s' "$WANT" > "$STAMP"
fi

cd "$ROOT"
"$VENV/bin/python" -m pytest Tests/python -q "$@"

# The examples' own tests: no bytecode or pytest cache written into Examples/.
for tests in "$ROOT"/Examples/*/tests; do
  [[ -d "$tests" ]] || continue
  example="$(dirname "$tests")"
  log "example tests: ${example#"$ROOT"/}"
  (cd "$example" && PYTHONDONTWRITEBYTECODE=1 "$VENV/bin/python" -m pytest tests -q -p no:cacheprovider)
done
