#!/usr/bin/env bash
# Runs every test: the Swift suites (unit + integration with real Python workers) and the worker's pytest suite.
# Usage: scripts/test.sh            (from anywhere; builds incrementally in .build/)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

echo "==> swift build --build-tests"
swift build --build-tests

echo "==> python worker tests (pytest)"
scripts/test-python.sh

echo "==> swift test"
swift test --skip-build
