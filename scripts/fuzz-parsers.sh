#!/usr/bin/env bash
# Coverage-guided fuzzing (libFuzzer) of the host's pure parsers: NCRONTAB/TimeSpan schedules, route
# templates and constraints, binding expressions, blob paths, JSON, log escaping, query strings.
# Compiles their source files with Tests/Fuzz/FuzzParsers.swift using `swiftc -sanitize=fuzzer`
# (no package build), replays Tests/Fuzz/regressions, then fuzzes from Tests/Fuzz/corpus.
#
#   scripts/fuzz-parsers.sh [--seconds S] [--jobs J]      (default 60 s; CI runs the default)
#
# A crash leaves its input in Tests/Fuzz/regressions/ (commit it: every later run replays it).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SECONDS_BUDGET=60
while [[ $# -gt 0 ]]; do
  case "$1" in
    --seconds) SECONDS_BUDGET="$2"; shift 2 ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
(( SECONDS_BUDGET >= 1 && SECONDS_BUDGET <= 86400 )) || { echo "--seconds must be 1..86400" >&2; exit 2; }

# Swift's own crash reporter would catch the trap before libFuzzer saves the input.
export SWIFT_BACKTRACE=enable=no
OUT="$ROOT/.build/fuzz"
mkdir -p "$OUT/corpus"
S="$ROOT/Sources"
FILES=(
  "$ROOT/Tests/Fuzz/FuzzParsers.swift"
  "$S"/FunctionsTriggers/Schedules/*.swift
  "$S"/FunctionsTriggers/Internal/String+Whitespace.swift
  "$S"/FunctionsTriggers/Metadata/WireDate.swift
  "$S"/FunctionsHostHTTP/Routing/{RouteRegex,RouteTemplate,RouteTemplate+Parsing,RouteTemplate+Matching,RouteTemplateError,RouteConstraint,RouteConstraint+Formats,RequestPath}.swift
  "$S"/FunctionsHostHTTP/Internal/String+ASCII.swift
  "$S"/FunctionsHostHTTP/Conversions/QueryParameters.swift
  "$S"/FunctionsTriggers/Expressions/{BindingTemplate,StorageNames,AppSettingResolver,BindingExpressionError,DotNetDateFormat,BlobPathPattern,BlobPath}.swift
  "$S"/FunctionsHostCore/Functions/JSONValue.swift
  "$S"/FunctionsHostCore/Internal/LogSafe.swift
)
echo "==> compiling the parsers with -sanitize=fuzzer"
swiftc -sanitize=fuzzer -parse-as-library -module-name FuzzParsers -package-name functionshost -O \
  "${FILES[@]}" -o "$OUT/fuzz-parsers"
REGRESSIONS="$ROOT/Tests/Fuzz/regressions"
if compgen -G "$REGRESSIONS/*" >/dev/null; then
  echo "==> replaying $(ls "$REGRESSIONS" | wc -l) regression inputs"
  "$OUT/fuzz-parsers" "$REGRESSIONS"/*
fi
echo "==> fuzzing for $SECONDS_BUDGET s"
cp -n "$ROOT"/Tests/Fuzz/corpus/* "$OUT/corpus/" 2>/dev/null || true
"$OUT/fuzz-parsers" -max_total_time="$SECONDS_BUDGET" -max_len=512 -timeout=5 -rss_limit_mb=1024 \
  -artifact_prefix="$REGRESSIONS/" -print_final_stats=1 "$OUT/corpus" 2>&1 | tail -n 25
