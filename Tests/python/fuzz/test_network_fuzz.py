"""A bounded network fuzz run against every listener of a running host: the HTTP front door, the worker
gRPC port, the worker Unix socket (when there is one) and the Blob/Queue endpoints. Each case is a
valid request mutated at random (bytes flipped, inserted, cut, repeated; numbers made huge; CR, LF and
NUL dropped in), sent over a raw socket. After every batch the host must still answer and serve a
function; at the end it must not have crashed or logged a fatal error.

Reproducible: FUZZ_SEED picks the run (printed), FUZZ_CASES the number of cases per listener. A case
that kills the host is written to Tests/python/fuzz/regressions/ and replayed first by every later run.
"""
from __future__ import annotations

import hashlib
import json
import os
import random
import re
import socket
import struct
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "storage"))
from live_host import LiveHost, host_binary  # noqa: E402

pytestmark = pytest.mark.skipif(host_binary() is None, reason="functions-host is not built (swift build)")

SEED = int(os.environ.get("FUZZ_SEED", "20261126"))
CASES = int(os.environ.get("FUZZ_CASES", "400"))
BATCH = 50
REGRESSIONS = Path(__file__).resolve().parent / "regressions"


def _app(root: Path) -> Path:
    (root / "hello").mkdir(parents=True)
    (root / "host.json").write_text(json.dumps({"version": "2.0"}))
    (root / "local.settings.json").write_text(json.dumps({"IsEncrypted": False, "Values": {
        "FUNCTIONS_WORKER_RUNTIME": "python", "AzureWebJobsStorage": "UseDevelopmentStorage=true"}}))
    (root / "hello" / "function.json").write_text(json.dumps({"bindings": [
        {"name": "req", "type": "httpTrigger", "direction": "in", "authLevel": "anonymous",
         "route": "hello/{*rest}"},
        {"name": "$return", "type": "http", "direction": "out"}]}))
    (root / "hello" / "__init__.py").write_text(
        "import azure.functions as func\n\n"
        "def main(req: func.HttpRequest) -> func.HttpResponse:\n"
        "    return func.HttpResponse(f'hello {len(req.get_body())}', headers={'x-echo': req.params.get('n', '')})\n")
    return root


# --- seeds --------------------------------------------------------------------------------------------

HTTP_SEEDS = [
    b"GET /api/hello/a?n=1 HTTP/1.1\r\nHost: h\r\n\r\n",
    b"POST /api/hello/b HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello",
    b"POST /api/hello/c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    b"GET /admin/host/status HTTP/1.1\r\nHost: h\r\nx-functions-key: k\r\n\r\n",
    b"OPTIONS /api/hello/d HTTP/1.1\r\nHost: h\r\nOrigin: http://o\r\nAccess-Control-Request-Method: GET\r\n\r\n",
    b"GET /api/hello/%2e%2e/%00x HTTP/1.0\r\n\r\n",
    b"GET /api/hello/e HTTP/1.1\r\nHost: h\r\nConnection: keep-alive\r\n\r\nGET /api/hello/f HTTP/1.1\r\nHost: h\r\n\r\n",
]


def _hpack_literal(name: bytes, value: bytes) -> bytes:
    """A header field as HPACK 'literal without indexing, new name' (no Huffman), lengths < 127."""
    return b"\x00" + bytes([len(name)]) + name + bytes([len(value)]) + value


def _frame(kind: int, flags: int, stream: int, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload))[1:] + bytes([kind, flags]) + struct.pack(">I", stream) + payload


def _grpc_seed(message: bytes) -> bytes:
    headers = b"".join(_hpack_literal(n, v) for n, v in (
        (b":method", b"POST"), (b":scheme", b"http"), (b":path", b"/AzureFunctionsRpcMessages.FunctionRpc/EventStream"),
        (b":authority", b"127.0.0.1"), (b"content-type", b"application/grpc"), (b"te", b"trailers")))
    grpc_message = b"\x00" + struct.pack(">I", len(message)) + message
    return (b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + _frame(4, 0, 0, b"") + _frame(1, 4, 1, headers)
            + _frame(0, 0, 1, grpc_message) + _frame(0, 1, 1, b""))


# StreamingMessage{ request_id: "r", start_stream: { worker_id: "not-a-worker" } } (fields 1 and 20).
_START = b"\x0a\x01r" + b"\xa2\x01\x0e\x0a\x0cnot-a-worker"
GRPC_SEEDS = [_grpc_seed(_START), _grpc_seed(b"\xff" * 12), _grpc_seed(struct.pack(">I", 0x7FFFFFFF))]
UDS_SEEDS = [struct.pack(">I", len(_START)) + _START, struct.pack(">I", 0xFFFFFFF0) + b"x" * 16, b"\x00" * 8]
STORAGE_SEEDS = [
    b"GET /devstoreaccount1?comp=list HTTP/1.1\r\nHost: h\r\nx-ms-version: 2021-08-06\r\n\r\n",
    b"PUT /devstoreaccount1/q1 HTTP/1.1\r\nHost: h\r\nx-ms-version: 2021-08-06\r\nContent-Length: 0\r\n"
    b"Authorization: SharedKey devstoreaccount1:AAAA\r\n\r\n",
    b"POST /devstoreaccount1/q1/messages HTTP/1.1\r\nHost: h\r\nContent-Length: 58\r\n\r\n"
    b"<QueueMessage><MessageText>aGVsbG8=</MessageText></QueueMessage>",
    b"GET /devstoreaccount1/c1/b.txt HTTP/1.1\r\nHost: h\r\nRange: bytes=0-9\r\n\r\n",
    b"PUT /devstoreaccount1/c1/b?comp=block&blockid=QUFB HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc",
]


# --- mutations ----------------------------------------------------------------------------------------

def _mutate(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        choice = rng.randrange(8)
        at = rng.randrange(len(out) + 1) if out else 0
        if choice == 0 and out:  # flip bits
            i = rng.randrange(len(out))
            out[i] ^= 1 << rng.randrange(8)
        elif choice == 1:  # insert random bytes
            out[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
        elif choice == 2 and out:  # cut a range
            out[at:at + rng.randint(1, 32)] = b""
        elif choice == 3 and out:  # repeat a range (header floods, doubled headers)
            piece = bytes(out[at:at + rng.randint(1, 64)])
            out[at:at] = piece * rng.randint(2, 200)
        elif choice == 4:  # a special byte
            out[at:at] = rng.choice([b"\r", b"\n", b"\r\n", b"\x00", b" ", b":", b"\x1b[31m", b"%00", b"%", b"\xff"])
        elif choice == 5:  # make a number huge or negative
            text = bytes(out)
            numbers = list(re.finditer(rb"\d+", text))
            if numbers:
                m = rng.choice(numbers)
                out[m.start():m.end()] = rng.choice([b"99999999999999999999", b"-1", b"4294967296", b"0x10", b"1e9"])
        elif choice == 6:  # truncate
            del out[rng.randrange(len(out) + 1):]
        else:  # splice a known-hostile header
            out[at:at] = rng.choice([b"\r\nTransfer-Encoding: gzip, chunked", b"\r\nContent-Length: 5\r\nContent-Length: 6",
                                     b"\r\nHost: a\r\nHost: b", b"\r\nExpect: 100-continue"])
    return bytes(out)


def _send(address, data: bytes, unix: bool = False) -> bool:
    """Sends one case; whether the listener answered anything (refusing, resetting or not answering a
    bad request is fine; crashing is not)."""
    family = socket.AF_UNIX if unix else socket.AF_INET
    answered = False
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.settimeout(2)
        try:
            s.connect(address)
            s.sendall(data)
            try:
                s.shutdown(socket.SHUT_WR)
            except OSError:
                pass
            while chunk := s.recv(65536):
                answered = True
        except (socket.timeout, OSError):
            pass
    return answered


def _healthy(host: LiveHost) -> None:
    assert host.process.poll() is None, "the host died:\n" + "\n".join(host.lines[-40:])
    import urllib.request
    with urllib.request.urlopen(f"{host.http}/api/hello/ok?n=7", timeout=30) as response:
        assert response.status == 200 and response.read() == b"hello 0" and response.headers["x-echo"] == "7"


def _listeners(host: LiveHost) -> dict:
    text = "\n".join(host.lines)
    http = host.http.split("//", 1)[1].rsplit(":", 1)
    found = {"http": (http[0], int(http[1]))}
    grpc = re.search(r"gRPC endpoint listening on ([\d.]+):(\d+)", text)
    if grpc:
        found["grpc"] = (grpc.group(1), int(grpc.group(2)))
    uds = re.search(r"listening on (?:unix:)?(/\S+\.sock)", text)
    if uds:
        found["uds"] = uds.group(1)
    for name, url in (("blob", host.blob_endpoint), ("queue", host.queue_endpoint)):
        hostport = url.split("//", 1)[1].split("/", 1)[0].rsplit(":", 1)
        found[name] = (hostport[0], int(hostport[1]))
    return found


def _record(name: str, data: bytes) -> Path:
    REGRESSIONS.mkdir(exist_ok=True)
    path = REGRESSIONS / f"{name}-{hashlib.sha256(data).hexdigest()[:16]}.bin"
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("transport", ["grpc", "uds"])
def test_no_mutated_request_takes_any_listener_down(tmp_path, transport):
    host = LiveHost(_app(tmp_path / "app"), tmp_path / "store.sqlite", "--transport", transport)
    try:
        listeners = _listeners(host)
        print(f"fuzzing {sorted(listeners)} with seed {SEED}, {CASES} cases each")
        plan = [("http", HTTP_SEEDS), ("grpc", GRPC_SEEDS), ("uds", GRPC_SEEDS + UDS_SEEDS), ("blob", STORAGE_SEEDS),
                ("queue", STORAGE_SEEDS)]
        # Earlier finds first.
        for path in sorted(REGRESSIONS.glob("*.bin")) if REGRESSIONS.exists() else []:
            name = path.name.split("-", 1)[0]
            if name in listeners:
                _send(listeners[name], path.read_bytes(), unix=name == "uds")
        _healthy(host)
        rng = random.Random(SEED)
        for name, seeds in plan:
            if name not in listeners:
                continue
            recent: list[bytes] = []
            answered = 0
            for case in range(CASES):
                data = seeds[case % len(seeds)] if case < len(seeds) else _mutate(rng, rng.choice(seeds))
                recent.append(data)
                answered += _send(listeners[name], data, unix=name == "uds")
                if (case + 1) % BATCH == 0 or case == CASES - 1:
                    try:
                        _healthy(host)
                    except AssertionError:
                        saved = [_record(name, d) for d in recent]
                        raise AssertionError(f"a {name} case among the last {len(recent)} broke the host; "
                                             f"kept in {saved[0].parent}:\n" + "\n".join(host.lines[-40:]))
                    recent.clear()
            print(f"{name}: {CASES} cases, {answered} answered")
            # The cases reach the listener's parser (answers are errors, mostly), not a closed door.
            assert answered > 0 or name in ("grpc", "uds"), f"no {name} case got any answer"
        text = "\n".join(host.lines)
        assert "Fatal error" not in text and "Segmentation" not in text
    finally:
        host.stop()
