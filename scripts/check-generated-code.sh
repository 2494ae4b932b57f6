#!/usr/bin/env bash
# Fails if the checked-in generated protocol code is stale, i.e. if running
# scripts/generate-protos.sh changes anything under Sources/FunctionsRPC/Generated/ or any of the
# generated Python modules in Sources/FunctionsPythonWorker/Resources/.
#
# The comparison is against a copy of the working tree taken before regeneration, so it also works
# while the generated files are not committed yet; where git tracks them, git's view is checked too.
# Usage: scripts/check-generated-code.sh   (from any directory)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

GENERATED_PATHS=(
  Sources/FunctionsRPC/Generated
  Sources/FunctionsPythonWorker/Resources/FunctionRpc_pb2.py
  Sources/FunctionsPythonWorker/Resources/FunctionRpc_pb2_grpc.py
  Sources/FunctionsPythonWorker/Resources/ClaimsIdentityRpc_pb2.py
  Sources/FunctionsPythonWorker/Resources/NullableTypes_pb2.py
)

SNAP="$(mktemp -d)"
trap 'rm -rf "$SNAP"' EXIT

# 1. Snapshot the current working-tree copies (missing paths simply stay missing).
mkdir -p "$SNAP/before"
for p in "${GENERATED_PATHS[@]}"; do
  if [[ -e "$p" ]]; then
    mkdir -p "$SNAP/before/$(dirname "$p")"
    cp -R "$p" "$SNAP/before/$p"
  fi
done

in_git=false
if git -C "$ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  in_git=true
  git status --porcelain --untracked-files=all -- "${GENERATED_PATHS[@]}" > "$SNAP/status-before"
fi

# 2. Regenerate.
"$ROOT/scripts/generate-protos.sh"

# 3. Compare with the snapshot.
mkdir -p "$SNAP/after"
for p in "${GENERATED_PATHS[@]}"; do
  if [[ -e "$p" ]]; then
    mkdir -p "$SNAP/after/$(dirname "$p")"
    cp -R "$p" "$SNAP/after/$p"
  fi
done

failed=false
if ! diff -r -q "$SNAP/before" "$SNAP/after" > "$SNAP/diff-summary" 2>&1; then
  failed=true
  echo "error: generated protocol code is out of date; regeneration changed:" >&2
  sed -e "s|$SNAP/before/||g" -e "s|$SNAP/after/||g" "$SNAP/diff-summary" | sed 's/^/  /' >&2
  (cd "$SNAP" && diff -r -u before after | head -60) >&2 || true
fi

# 4. git's view: regeneration must not change what git reports for these paths
#    (catches e.g. a new generated file next to committed ones, or drift from the index).
if $in_git; then
  git status --porcelain --untracked-files=all -- "${GENERATED_PATHS[@]}" > "$SNAP/status-after"
  if ! cmp -s "$SNAP/status-before" "$SNAP/status-after"; then
    failed=true
    echo "error: regeneration changed git status of generated files:" >&2
    diff "$SNAP/status-before" "$SNAP/status-after" | sed 's/^/  /' >&2 || true
  fi
fi

if $failed; then
  echo "Run scripts/generate-protos.sh and commit the result (the working tree now holds the regenerated files)." >&2
  exit 1
fi
echo "generated protocol code is up to date"
