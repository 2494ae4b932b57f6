#!/usr/bin/env python3
"""Worker-only benchmark: plays the host to the bundled Python worker and measures its CPU cost.

Launches ``Sources/FunctionsPythonWorker/Resources/worker.py`` as a subprocess with the standard
launch arguments, answers it as functions-host does (StartStream -> WorkerInitRequest ->
FunctionLoadRequest), then pushes N InvocationRequests shaped like the host's for an HTTP request
(RpcHttp GET with url, lower-cased headers and query; trigger_metadata with Query/Headers as json
and the query parameter as string; a W3C trace context), keeping K in flight. Prints
invocations/s and the worker process's CPU microseconds per invocation (utime + stime from
/proc/<pid>/stat, measured over the timed invocations only).

Transports:
  grpc    the gRPC EventStream on TCP (a grpc.aio server in this process; the worker's h2 client)
  h2uds   the gRPC EventStream on a Unix socket (``--functions-h2-uds-path``; the h2 client)
  grpcio  as grpc, with the worker on its grpc.aio fallback (FUNCTIONS_HOST_WORKER_CLIENT=grpcio)
The gRPC host side is a grpc.aio server, or with ``--server h2`` a lean server on the h2 library
that batches like functions-host (one DATA frame and one write per read), so that the worker, not
the Python server, is the bottleneck.

Run with a python that has the worker's requirements, e.g.
  .build/python-test-venv/bin/python scripts/bench/worker_loop.py --server h2  # async + sync, h2uds
  .build/python-test-venv/bin/python scripts/bench/worker_loop.py --function sync -n 20000 -k 64
  .build/python-test-venv/bin/python scripts/bench/worker_loop.py --transport grpc -n 5000
  .build/python-test-venv/bin/python scripts/bench/worker_loop.py --profile /tmp/w.prof  # cProfile
Options: --json prints one JSON line per run as well; --check verifies every response body.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import typing
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RESOURCES = ROOT / "Sources" / "FunctionsPythonWorker" / "Resources"
sys.path.insert(0, str(RESOURCES))

import FunctionRpc_pb2 as protos  # noqa: E402  (the worker's generated modules)

CLK_TCK = os.sysconf("SC_CLK_TCK")

FUNCTIONS = {
    "async": "import azure.functions as func\n\n\n"
             "async def main(req: func.HttpRequest) -> str:\n"
             "    return f\"Hello, {req.params.get('name')}!\"\n",
    "sync": "import azure.functions as func\n\n\n"
            "def main(req: func.HttpRequest) -> str:\n"
            "    return f\"Hello, {req.params.get('name')}!\"\n",
}
FUNCTION_JSON = {"scriptFile": "__init__.py", "bindings": [
    {"authLevel": "anonymous", "type": "httpTrigger", "direction": "in", "name": "req",
     "methods": ["get", "post"]},
    {"type": "http", "direction": "out", "name": "$return"}]}


def cpu_seconds(pid: int) -> typing.Tuple[float, float]:
    """(user, system) CPU seconds of a process so far (utime, stime: /proc fields 14, 15)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) / CLK_TCK, int(fields[12]) / CLK_TCK


def make_app(root: Path) -> None:
    for name, source in FUNCTIONS.items():
        folder = root / f"hello_{name}"
        folder.mkdir(parents=True)
        (folder / "__init__.py").write_text(source)
        (folder / "function.json").write_text(json.dumps(FUNCTION_JSON))
    (root / "host.json").write_text('{"version": "2.0"}')


def load_request(root: Path, name: str) -> protos.StreamingMessage:
    directory = str(root / f"hello_{name}")
    metadata = protos.RpcFunctionMetadata(
        name=f"hello_{name}", directory=directory,
        script_file=os.path.join(directory, "__init__.py"),
        entry_point="main", language="python",
        bindings={"req": protos.BindingInfo(type="httpTrigger", direction=0),
                  "$return": protos.BindingInfo(type="http", direction=1)},
        raw_bindings=[json.dumps(b) for b in FUNCTION_JSON["bindings"]])
    return protos.StreamingMessage(request_id="R", function_load_request=protos.FunctionLoadRequest(
        function_id=f"fid-{name}", metadata=metadata))


HEADERS = {"host": "127.0.0.1:7071", "user-agent": "wrk/4.2.0", "accept": "*/*",
           "accept-encoding": "gzip, deflate", "connection": "keep-alive",
           "x-forwarded-for": "127.0.0.1"}


def invocation(function: str, n: int) -> bytes:
    """One serialized StreamingMessage{invocation_request}, as the host builds it."""
    message = protos.StreamingMessage(request_id="R")
    request = message.invocation_request
    request.invocation_id = str(uuid.UUID(int=n))
    request.function_id = f"fid-{function}"
    binding = request.input_data.add(name="req")
    http = binding.data.http
    http.method = "GET"
    http.url = "http://127.0.0.1:7071/api/hello?name=Ada"
    http.headers.update(HEADERS)
    http.query["name"] = "Ada"
    request.trigger_metadata["name"].string = "Ada"
    request.trigger_metadata["Query"].json = '{"name":"Ada"}'
    request.trigger_metadata["Headers"].json = json.dumps(HEADERS, separators=(",", ":"))
    request.trace_context.trace_parent = f"00-{n:032x}-{n + 1:016x}-01"
    return message.SerializeToString()


class Run:
    """The host side of one worker connection: handshake, then the invocation loop."""

    def __init__(self, args, app: Path, function: str) -> None:
        self.args, self.app, self.function = args, app, function
        self.control: asyncio.Queue = asyncio.Queue()   # non-invocation messages from the worker
        self.send = None           # callable(list of serialized StreamingMessage)
        self.pending = 0
        self.done = asyncio.Event()
        self.logs = 0
        self.bad = 0
        self.payloads: list = []
        self.outbox: list = []     # requests to send once the current read is processed
        self.next_index = 0
        self.expected = "Hello, Ada!"

    def on_message(self, message) -> None:
        kind = message.WhichOneof("content")
        if kind == "invocation_response":
            self.on_response(message.invocation_response)
        elif kind == "rpc_log":
            self.logs += 1
        else:
            self.control.put_nowait(message)

    def on_response(self, response) -> None:
        self.pending -= 1
        if response.result.status != protos.StatusResult.Success:
            self.bad += 1
        elif self.args.check:
            body = response.return_value.http.body
            value = body.string or body.bytes.decode()
            if value != self.expected:
                self.bad += 1
        if self.next_index < len(self.payloads):
            self.outbox.append(self.payloads[self.next_index])
            self.next_index += 1
            self.pending += 1
        elif self.pending == 0:
            self.done.set()

    async def expect(self, kind: str):
        while True:
            message = await asyncio.wait_for(self.control.get(), 30)
            if message.WhichOneof("content") == kind:
                return message

    async def drive(self, pid: int) -> dict:
        start = await self.expect("start_stream")
        assert start.start_stream.worker_id == "W", start
        init_request = protos.WorkerInitRequest(
            host_version="bench", function_app_directory=str(self.app),
            capabilities={"RpcHttpBodyOnly": "true"})
        self.send([protos.StreamingMessage(
            request_id="R", worker_init_request=init_request).SerializeToString()])
        init = await self.expect("worker_init_response")
        assert init.worker_init_response.result.status == protos.StatusResult.Success, init
        self.send([load_request(self.app, self.function).SerializeToString()])
        load = await self.expect("function_load_response")
        assert load.function_load_response.result.status == protos.StatusResult.Success, load
        results = {}
        for phase, count in (("warmup", self.args.warmup), ("measure", self.args.n)):
            if count <= 0:
                continue
            base = 1 if phase == "warmup" else 1 + self.args.warmup
            self.payloads = [invocation(self.function, base + i) for i in range(count)]
            self.next_index = min(self.args.k, count)
            self.pending = self.next_index
            self.done.clear()
            self.bad = 0
            cpu0, t0 = cpu_seconds(pid), time.perf_counter()
            self.send(self.payloads[:self.next_index])
            await asyncio.wait_for(self.done.wait(), 120)
            t1, cpu1 = time.perf_counter(), cpu_seconds(pid)
            user, system = cpu1[0] - cpu0[0], cpu1[1] - cpu0[1]
            results = {"invocations": count, "seconds": t1 - t0,
                       "per_second": count / (t1 - t0),
                       "cpu_us_per_invocation": (user + system) / count * 1e6,
                       "user_us_per_invocation": user / count * 1e6,
                       "system_us_per_invocation": system / count * 1e6, "failed": self.bad}
        self.send([protos.StreamingMessage(request_id="R", worker_terminate=protos.WorkerTerminate(
            grace_period={"seconds": 2})).SerializeToString()])
        return results

    def flush_outbox(self) -> None:
        if self.outbox:
            batch, self.outbox = self.outbox, []
            self.send(batch)


class LeanH2Host(asyncio.Protocol):
    """``--server h2``: the EventStream's server side on the sans-IO h2 library, batching as the
    host does (everything for one read goes out as one DATA frame in one write), so the worker is
    measured against a server that is not the bottleneck."""

    def __init__(self, run: "Run", connected: asyncio.Future) -> None:
        import h2.config
        import h2.connection
        import h2.settings

        self.run, self.connected = run, connected
        self.conn = h2.connection.H2Connection(
            h2.config.H2Configuration(client_side=False, header_encoding=None))
        self.conn.local_settings = h2.settings.Settings(client=False, initial_values={
            h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: 16 << 20,
            h2.settings.SettingCodes.MAX_FRAME_SIZE: 1 << 20})
        self.conn.max_inbound_frame_size = 1 << 20
        self.transport = None
        self.sid = 0
        self.partial = bytearray()

    def connection_made(self, transport) -> None:
        self.transport = transport
        self.conn.initiate_connection()
        self.conn.increment_flow_control_window((32 << 20) - 65535)
        transport.write(self.conn.data_to_send())

    def data_received(self, data: bytes) -> None:
        import h2.events

        parse = protos.StreamingMessage.FromString
        for event in self.conn.receive_data(data):
            if isinstance(event, h2.events.RequestReceived):
                self.sid = event.stream_id
                self.conn.send_headers(self.sid, [(b":status", b"200"),
                                                  (b"content-type", b"application/grpc")])
                self.run.send = self.send
                if not self.connected.done():
                    self.connected.set_result(True)
            elif isinstance(event, h2.events.DataReceived):
                buffer = self.partial
                buffer += event.data
                offset = 0
                while len(buffer) - offset >= 5:
                    end = offset + 5 + int.from_bytes(buffer[offset + 1:offset + 5], "big")
                    if end > len(buffer):
                        break
                    self.run.on_message(parse(bytes(buffer[offset + 5:end])))
                    offset = end
                del buffer[:offset]
                self.conn.acknowledge_received_data(event.flow_controlled_length, self.sid)
        self.run.flush_outbox()
        self.transport.write(self.conn.data_to_send())

    def send(self, batch) -> None:
        payload = memoryview(b"".join(b"\0" + len(m).to_bytes(4, "big") + m for m in batch))
        while payload:  # the worker's window is large; frames up to its max frame size
            size = min(len(payload), self.conn.max_outbound_frame_size,
                       self.conn.local_flow_control_window(self.sid))
            self.conn.send_data(self.sid, payload[:size])
            payload = payload[size:]
        self.transport.write(self.conn.data_to_send())


async def run_lean_h2(args, app: Path, function: str, workdir: Path) -> dict:
    run = Run(args, app, function)
    loop = asyncio.get_running_loop()
    connected: asyncio.Future = loop.create_future()
    factory = lambda: LeanH2Host(run, connected)  # noqa: E731
    if args.transport == "h2uds":
        path = str(workdir / f"h-{function}.sock")
        server = await loop.create_unix_server(factory, path)
        extra = ["--port", "1", "--functions-h2-uds-path", path]
    else:
        server = await loop.create_server(factory, "127.0.0.1", 0)
        extra = ["--port", str(server.sockets[0].getsockname()[1])]
    process = launch(args, app, extra, workdir, function)
    try:
        await asyncio.wait_for(connected, 30)
        return await run.drive(process.pid)
    finally:
        await finish(process)
        server.close()


async def run_grpc(args, app: Path, function: str, workdir: Path) -> dict:
    import grpc
    import grpc.aio

    run = Run(args, app, function)
    queue: asyncio.Queue = asyncio.Queue()
    connected: asyncio.Future = asyncio.get_running_loop().create_future()

    async def event_stream(request_iterator, context):
        run.send = lambda batch: [queue.put_nowait(m) for m in batch]
        connected.set_result(True)

        async def read() -> None:
            async for message in request_iterator:
                run.on_message(message)
                run.flush_outbox()
        reader = asyncio.ensure_future(read())
        try:
            while True:
                data = await queue.get()
                yield protos.StreamingMessage.FromString(data)
        finally:
            reader.cancel()

    handler = grpc.method_handlers_generic_handler("AzureFunctionsRpcMessages.FunctionRpc", {
        "EventStream": grpc.stream_stream_rpc_method_handler(
            event_stream, request_deserializer=protos.StreamingMessage.FromString,
            response_serializer=protos.StreamingMessage.SerializeToString)})
    server = grpc.aio.server()
    server.add_generic_rpc_handlers((handler,))
    port = server.add_insecure_port("127.0.0.1:0")
    extra = ["--port", str(port)]
    if args.transport == "h2uds":
        path = str(workdir / f"g-{function}.sock")
        server.add_insecure_port(f"unix:{path}")
        extra = ["--port", str(port), "--functions-h2-uds-path", path]
    await server.start()
    process = launch(args, app, extra, workdir, function)
    try:
        await asyncio.wait_for(connected, 30)
        return await run.drive(process.pid)
    finally:
        await finish(process)
        await server.stop(0)


def launch(args, app: Path, extra, workdir: Path, function: str) -> subprocess.Popen:
    script = Path(args.worker).resolve()
    env = dict(os.environ, FUNCTIONS_WORKER_DIRECTORY=str(script.parent),
               FUNCTIONS_APPLICATION_DIRECTORY=str(app), PYTHONDONTWRITEBYTECODE="1")
    if args.transport == "grpcio":
        env["FUNCTIONS_HOST_WORKER_CLIENT"] = "grpcio"
    command = [args.python]
    if args.profile:
        command += ["-m", "cProfile", "-o", f"{args.profile}.{function}"]
    port = extra[1] if extra[0] == "--port" else "1"
    command += [str(script), "--host", "127.0.0.1", "--port", port,
                "--workerId", "W", "--requestId", "R"]
    command += extra[2:] if extra[0] == "--port" else extra
    log = open(workdir / f"worker-{function}.log", "wb")
    return subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=str(app))


async def finish(process: subprocess.Popen) -> None:
    for _ in range(100):
        if process.poll() is not None:
            return
        await asyncio.sleep(0.05)
    process.kill()  # only the worker this script started
    process.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=20000, help="timed invocations (default 20000)")
    parser.add_argument("-k", type=int, default=64, help="invocations in flight (default 64)")
    parser.add_argument("--warmup", type=int, default=2000, help="untimed invocations first")
    parser.add_argument("--function", choices=("async", "sync", "both"), default="both")
    parser.add_argument("--transport", choices=("grpc", "h2uds", "grpcio"), default="h2uds")
    parser.add_argument("--server", choices=("grpc.aio", "h2"), default="grpc.aio",
                        help="the host side of grpc/h2uds/grpcio: a grpc.aio server (default) or "
                             "a lean batching server on h2")
    parser.add_argument("--python", default=sys.executable, help="interpreter for the worker")
    parser.add_argument("--worker", default=str(RESOURCES / "worker.py"),
                        help="worker script (default: the bundled one); its folder must hold the "
                             "generated *_pb2 modules")
    parser.add_argument("--profile", help="run the worker under cProfile, writing PATH.<function>")
    parser.add_argument("--check", action="store_true", help="verify every response body")
    parser.add_argument("--json", action="store_true", help="also print one JSON line per run")
    parser.add_argument("--keep", action="store_true", help="keep the temp folder (worker logs)")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="worker-loop-"))
    app = workdir / "app"
    make_app(app)
    runner = run_lean_h2 if args.server == "h2" else run_grpc
    functions = ("async", "sync") if args.function == "both" else (args.function,)
    status = 0
    try:
        for function in functions:
            result = asyncio.run(runner(args, app, function, workdir))
            result.update(function=function, transport=args.transport, in_flight=args.k)
            print(f"{args.transport} {function:5s}: {result['per_second']:8.0f} invocations/s  "
                  f"{result['cpu_us_per_invocation']:6.1f} µs worker CPU/invocation "
                  f"(user {result['user_us_per_invocation']:.1f}, "
                  f"system {result['system_us_per_invocation']:.1f})  "
                  f"({result['invocations']} in {result['seconds']:.2f} s, K={args.k}, "
                  f"failed {result['failed']})", flush=True)
            if args.json:
                print(json.dumps(result), flush=True)
            if result["failed"]:
                status = 1
    finally:
        if args.keep:
            print(f"kept {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
