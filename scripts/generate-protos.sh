#!/usr/bin/env bash
# Regenerates the protocol code from Protos/*.proto:
#   Swift  -> Sources/FunctionsRPC/Generated/          (swift-protobuf 1.39.0 + grpc-swift-protobuf 2.4.1 plugins)
#   Python -> Sources/FunctionsPythonWorker/Resources/ (grpcio-tools 1.76.0, flat module layout)
#
# Python runtime floor of the generated modules (they check it themselves at import time):
#   protobuf >= 6.31.1   (_pb2 gencode from grpcio-tools 1.76.0 calls ValidateProtobufRuntimeVersion(6, 31, 1))
#   grpcio   >= 1.76.0   (_pb2_grpc refuses older grpcio: GRPC_GENERATED_VERSION = '1.76.0')
#
# Tools are built/installed once into $ROOT/.build-protogen (git-ignored) and reused afterwards.
# The output is deterministic: running the script twice gives byte-identical files.
# Usage: scripts/generate-protos.sh   (from any directory)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="$ROOT/.build-protogen"

GRPC_SWIFT_PROTOBUF_VERSION="2.4.1"
SWIFT_PROTOBUF_VERSION="1.39.0"
GRPCIO_TOOLS_VERSION="1.76.0"

PROTO_DIR="$ROOT/Protos"
PROTO_FILES=(FunctionRpc.proto identity/ClaimsIdentityRpc.proto shared/NullableTypes.proto)
SERVICE_PROTO_FILES=(FunctionRpc.proto)   # the only file with a service; gRPC stubs are made for it alone
SWIFT_OUT="$ROOT/Sources/FunctionsRPC/Generated"
PY_OUT="$ROOT/Sources/FunctionsPythonWorker/Resources"
# Python modules we ship (source path as emitted by grpc_tools -> flat name in Resources/).
PY_MODULES=(
  "FunctionRpc_pb2.py:FunctionRpc_pb2.py"
  "FunctionRpc_pb2_grpc.py:FunctionRpc_pb2_grpc.py"
  "identity/ClaimsIdentityRpc_pb2.py:ClaimsIdentityRpc_pb2.py"
  "shared/NullableTypes_pb2.py:NullableTypes_pb2.py"
)

SWIFT_OPTS="Visibility=Public,FileNaming=DropPath,UseAccessLevelOnImports=true"
GRPC_SWIFT_OPTS="Visibility=Public,Server=true,Client=true,UseAccessLevelOnImports=true,FileNaming=DropPath"

log() { printf '[generate-protos] %s\n' "$*" >&2; }
die() { printf '[generate-protos] error: %s\n' "$*" >&2; exit 1; }

export LC_ALL=C
mkdir -p "$CACHE"

# --- protoc (Debian's protobuf-compiler) and the well-known types -------------------------------
WKT_DIR=/usr/include
if ! command -v protoc >/dev/null 2>&1 || [[ ! -f "$WKT_DIR/google/protobuf/duration.proto" ]]; then
  if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
    log "installing protobuf-compiler (and the well-known .proto files)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y protobuf-compiler libprotobuf-dev >/dev/null \
      || { apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y protobuf-compiler libprotobuf-dev >/dev/null; }
  else
    die "protoc (and $WKT_DIR/google/protobuf/*.proto) missing: install Debian's protobuf-compiler and libprotobuf-dev"
  fi
fi
PROTOC="$(command -v protoc)"

# --- Swift plugins ---------------------------------------------------------------------------------
GEN_SRC="$CACHE/grpc-swift-protobuf-$GRPC_SWIFT_PROTOBUF_VERSION"
GEN_BIN="$GEN_SRC/.build/release"
if [[ ! -x "$GEN_BIN/protoc-gen-swift" || ! -x "$GEN_BIN/protoc-gen-grpc-swift-2" ]]; then
  if [[ ! -f "$GEN_SRC/Package.swift" ]]; then
    log "cloning grpc-swift-protobuf $GRPC_SWIFT_PROTOBUF_VERSION"
    rm -rf "$GEN_SRC.partial"
    git -c advice.detachedHead=false clone --quiet --branch "$GRPC_SWIFT_PROTOBUF_VERSION" \
      https://github.com/grpc/grpc-swift-protobuf.git "$GEN_SRC.partial"
    mv "$GEN_SRC.partial" "$GEN_SRC"
  fi
  log "building protoc-gen-grpc-swift-2 and protoc-gen-swift (release; takes a few minutes once)"
  start=$SECONDS
  (
    cd "$GEN_SRC"
    swift package resolve
    # Pin the protoc-gen-swift version so generated code does not drift with the resolver.
    swift package resolve swift-protobuf --version "$SWIFT_PROTOBUF_VERSION"
    swift build -c release --product protoc-gen-grpc-swift-2
    swift build -c release --product protoc-gen-swift
  ) >&2
  log "plugins built in $((SECONDS - start)) s"
fi
got="$("$GEN_BIN/protoc-gen-swift" --version 2>&1 || true)"
[[ "$got" == *"$SWIFT_PROTOBUF_VERSION"* ]] || die "protoc-gen-swift reports '$got', expected $SWIFT_PROTOBUF_VERSION (delete $GEN_SRC to rebuild)"

# --- Python tools (throwaway venv) -------------------------------------------------------------------
VENV="$CACHE/venv"
if [[ ! -x "$VENV/bin/python" ]]; then
  log "creating $VENV"
  python3 -m venv "$VENV"
fi
if [[ "$("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("grpcio-tools"))' 2>/dev/null || true)" != "$GRPCIO_TOOLS_VERSION" ]]; then
  log "installing grpcio-tools==$GRPCIO_TOOLS_VERSION"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "grpcio-tools==$GRPCIO_TOOLS_VERSION"
fi

# --- generate into a scratch dir, then replace the outputs ------------------------------------------
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/swift" "$WORK/py"

log "protoc -> Swift"
(
  cd "$PROTO_DIR"
  "$PROTOC" --proto_path=. --proto_path="$WKT_DIR" \
    --plugin=protoc-gen-swift="$GEN_BIN/protoc-gen-swift" \
    --swift_out="$WORK/swift" --swift_opt="$SWIFT_OPTS" \
    "${PROTO_FILES[@]}"
  "$PROTOC" --proto_path=. --proto_path="$WKT_DIR" \
    --plugin=protoc-gen-grpc-swift-2="$GEN_BIN/protoc-gen-grpc-swift-2" \
    --grpc-swift-2_out="$WORK/swift" --grpc-swift-2_opt="$GRPC_SWIFT_OPTS" \
    "${SERVICE_PROTO_FILES[@]}"
)

log "grpc_tools.protoc -> Python"
(
  cd "$PROTO_DIR"
  PYTHONDONTWRITEBYTECODE=1 "$VENV/bin/python" -m grpc_tools.protoc --proto_path=. \
    --python_out="$WORK/py" --grpc_python_out="$WORK/py" \
    "${PROTO_FILES[@]}"
)
# Flatten: the worker directory holds plain top-level modules, so the generated
# "from identity import X_pb2" / "from shared import X_pb2" become "import X_pb2"
# (same alias names). This keeps a user package called `identity` or `shared` unshadowed.
for entry in "${PY_MODULES[@]}"; do
  src="$WORK/py/${entry%%:*}"
  [[ -f "$src" ]] || die "grpc_tools did not produce ${entry%%:*}"
  sed -E 's/^from (identity|shared) import ([A-Za-z0-9_]+_pb2) as /import \2 as /' "$src" > "$src.flat"
  mv "$src.flat" "$src"
  if grep -nE '^(from|import) (identity|shared)([. ]|$)' "$src"; then
    die "unrewritten package import left in ${entry%%:*}"
  fi
done

# Swift: replace the whole Generated/ folder so that stale files disappear.
shopt -s nullglob
swift_files=("$WORK"/swift/*.swift)
(( ${#swift_files[@]} > 0 )) || die "protoc produced no Swift files"
mkdir -p "$SWIFT_OUT"
rm -f "$SWIFT_OUT"/*.swift
cp "${swift_files[@]}" "$SWIFT_OUT/"

# Python: overwrite just the modules listed above (Resources/ also holds hand-written files).
mkdir -p "$PY_OUT"
for entry in "${PY_MODULES[@]}"; do
  cp "$WORK/py/${entry%%:*}" "$PY_OUT/${entry##*:}"
done

log "wrote $(cd "$SWIFT_OUT" && ls *.swift | tr '\n' ' ')"
log "wrote $(for e in "${PY_MODULES[@]}"; do printf '%s ' "${e##*:}"; done)"
