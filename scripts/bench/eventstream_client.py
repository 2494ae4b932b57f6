#!/usr/bin/env python3
"""EventStream client micro-benchmark: the worker's transports alone, grpcio vs h2, in CPU µs per
message hop.

A grpc.aio echo server (FunctionRpc.EventStream, the generated servicer) runs in a child process on
TCP and on a Unix socket; this process runs one of the worker's clients and keeps K messages in
flight: each message echoed back is one inbound hop and triggers the next outbound hop. Reported:
messages/s and this process's CPU (user + system, every thread: grpcio has its own) per hop, i.e.
CPU / (2 × messages). The server's CPU is not counted.

Clients:
  grpcio  functions_host_worker.transport.Transport (grpc.aio), on asyncio's loop
  h2      functions_host_worker.h2stream.H2Transport, on uvloop when installed (as the worker)

Usage (a python with the worker's requirements):
  .build/python-test-venv/bin/python scripts/bench/eventstream_client.py            # all, K=1 and 64
  .build/python-test-venv/bin/python scripts/bench/eventstream_client.py -n 20000 -k 64 --client h2
"""
from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RESOURCES = ROOT / "Sources" / "FunctionsPythonWorker" / "Resources"
sys.path.insert(0, str(RESOURCES))

import FunctionRpc_pb2 as protos  # noqa: E402


def sample_message() -> protos.StreamingMessage:
    """About the size of a hello-world InvocationResponse."""
    message = protos.StreamingMessage(request_id="R")
    response = message.invocation_response
    response.invocation_id = "00000000-0000-0000-0000-000000000001"
    response.result.status = protos.StatusResult.Success
    response.return_value.http.status_code = "200"
    response.return_value.http.headers["content-type"] = "text/plain; charset=utf-8"
    response.return_value.http.body.string = "Hello, Ada!"
    return message


# -- the echo server (child process) ---------------------------------------------------------------

async def serve(tcp_port_file: str, unix_path: str) -> None:
    import grpc.aio
    import FunctionRpc_pb2_grpc

    class Echo(FunctionRpc_pb2_grpc.FunctionRpcServicer):
        async def EventStream(self, request_iterator, context):
            async for message in request_iterator:
                yield message

    server = grpc.aio.server()
    FunctionRpc_pb2_grpc.add_FunctionRpcServicer_to_server(Echo(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.add_insecure_port(f"unix:{unix_path}")
    await server.start()
    Path(tcp_port_file).write_text(str(port))
    await asyncio.Event().wait()  # until killed


# -- the client (this process) ---------------------------------------------------------------------

async def drive(client: str, target: dict, count: int, in_flight: int) -> dict:
    from functions_host_worker.h2client import H2Transport
    from functions_host_worker.transport import Transport

    if client == "grpcio":
        transport = (Transport(f"unix:{target['unix']}") if target["kind"] == "unix"
                     else Transport("127.0.0.1", target["port"]))
    else:
        transport = (H2Transport(path=target["unix"]) if target["kind"] == "unix"
                     else H2Transport(host="127.0.0.1", port=target["port"]))
    await transport.connect()
    message = sample_message()
    done = asyncio.get_running_loop().create_future()
    state = {"sent": 0, "received": 0, "goal": 0}

    def on_message(_message) -> None:
        state["received"] += 1
        if state["sent"] < state["goal"]:
            state["sent"] += 1
            transport.post(message)
        elif state["received"] == state["goal"] and not done.done():
            done.set_result(None)

    if hasattr(transport, "serve"):
        reader = asyncio.ensure_future(transport.serve(on_message))
    else:
        async def read() -> None:
            async for inbound in transport.inbound():
                on_message(inbound)
        reader = asyncio.ensure_future(read())

    async def phase(n: int) -> tuple:
        nonlocal done
        done = asyncio.get_running_loop().create_future()
        state.update(sent=0, received=0, goal=n)
        cpu0, t0 = time.process_time(), time.perf_counter()
        for _ in range(min(in_flight, n)):
            state["sent"] += 1
            transport.post(message)
        await asyncio.wait_for(done, 300)
        return time.process_time() - cpu0, time.perf_counter() - t0

    await phase(min(2000, count))  # warm-up
    cpu, wall = await phase(count)
    reader.cancel()
    await transport.close(flush=False)
    return {"client": client, "kind": target["kind"], "k": in_flight, "messages": count,
            "per_second": count / wall, "cpu_us_per_hop": cpu / (2 * count) * 1e6}


def run_client(client: str, target: dict, count: int, in_flight: int) -> dict:
    if client != "grpcio":
        try:
            import uvloop
        except ImportError:
            uvloop = None
        if uvloop is not None and hasattr(asyncio, "Runner"):
            with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
                return runner.run(drive(client, target, count, in_flight))
    return asyncio.run(drive(client, target, count, in_flight))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=20000, help="timed messages (default 20000)")
    parser.add_argument("-k", type=int, action="append", help="messages in flight (default 1, 64)")
    parser.add_argument("--client", choices=("grpcio", "h2"), action="append")
    parser.add_argument("--serve", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        asyncio.run(serve(*args.serve))
        return 0
    folder = tempfile.mkdtemp(prefix="eventstream-bench-")
    port_file, unix_path = (os.path.join(folder, n) for n in ("port", "g.sock"))
    server = subprocess.Popen([sys.executable, __file__, "--serve", port_file, unix_path])
    try:
        while not os.path.exists(port_file) or not Path(port_file).read_text():
            if server.poll() is not None:
                raise SystemExit("the echo server failed to start")
            time.sleep(0.05)  # a benchmark's start-up wait, not production code
        port = int(Path(port_file).read_text())
        for k in args.k or [1, 64]:
            for client in args.client or ["grpcio", "h2"]:
                for kind in ["tcp", "unix"]:
                    target = {"kind": kind, "port": port, "unix": unix_path}
                    r = run_client(client, target, args.n, k)
                    print(f"{client:6s} {kind:4s} K={k:<3d} {r['per_second']:9.0f} msg/s  "
                          f"{r['cpu_us_per_hop']:6.1f} µs client CPU per hop", flush=True)
    finally:
        server.kill()  # only the echo server this script started
        server.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
