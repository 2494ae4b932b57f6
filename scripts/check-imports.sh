#!/usr/bin/env bash
# Fails when a Swift file under Sources/ has an import without an access level
# (house style: `public import`, `package import`, `internal import` or `private import`).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bad=$(grep -rnE '^(@[A-Za-z]+ )*import [A-Za-z_]' "$ROOT/Sources" --include='*.swift' || true)
if [[ -n "$bad" ]]; then
  echo "imports without an access level:" >&2
  echo "$bad" >&2
  exit 1
fi
echo "every import in Sources/ has an access level"
