"""HTTP streaming through the worker's proxy server (issue 15): worker.py as a subprocess against
the fake host, plus an HTTP/1.1 client on the worker's ``HttpUri`` socket playing the host's
forwarder. Every wait is on an event (a reply, a log record, a chunk); timeouts only guard hangs."""
import contextlib
import hashlib
import json
import os
import shutil
import stat
import tempfile
import urllib.parse
from pathlib import Path

import pytest

import FunctionRpc_pb2 as protos
from conftest import ROOT, WORKER_SCRIPT, write_app
from fakehost import ProxyClient, run, session

S = protos.StatusResult
EXAMPLE = ROOT / "Examples" / "streaming"
PROXIED = {"events", "download", "upload", "stream_lines", "ticker"}

GATED_APP = {
    "host.json": '{"version": "2.0"}',
    "function_app.py": """
        import asyncio
        import logging

        import azure.functions as func
        from starlette.requests import Request
        from starlette.responses import JSONResponse, StreamingResponse

        app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)
        GATE = asyncio.Event()


        @app.route(route="gated")
        async def gated(req: Request) -> StreamingResponse:
            async def produce():
                yield "first\\n"
                await GATE.wait()
                yield "second\\n"
            return StreamingResponse(produce(), media_type="text/plain")


        @app.route(route="release")
        async def release(req: func.HttpRequest) -> func.HttpResponse:
            GATE.set()
            return func.HttpResponse("released")


        @app.route(route="chunks", methods=["POST"])
        async def chunks(req: Request) -> JSONResponse:
            count = 0
            async for chunk in req.stream():
                if chunk:
                    count += 1
                    logging.info("chunk %d: %d bytes", count, len(chunk))
            return JSONResponse({"chunks": count})


        @app.route(route="boom")
        async def boom(req: Request) -> JSONResponse:
            raise ValueError("boom before any response")


        @app.route(route="items/{name}", methods=["POST"])
        def items(req: func.HttpRequest):
            yield f"name={req.route_params['name']} q={req.params.get('q')} "
            yield req.get_body()


        @app.route(route="where/{name}")
        async def where(req: Request) -> JSONResponse:
            return {"name": req.path_params["name"], "q": req.query_params.get("q")}


        @app.route(route="slow")
        async def slow(req: Request) -> JSONResponse:
            logging.info("slow started")
            try:
                await GATE.wait()
            except asyncio.CancelledError:
                logging.info("slow cancelled")
                raise
            return JSONResponse({"late": True})


        @app.route(route="forever")
        async def forever(req: Request) -> StreamingResponse:
            async def produce():
                try:
                    while True:
                        yield "tick\\n"
                        await asyncio.sleep(0.05)
                finally:
                    logging.info("asgi stream stopped")
            return StreamingResponse(produce())


        @app.route(route="styleb", methods=["POST"])
        def style_b(req: func.HttpRequest) -> StreamingResponse:
            body = req.get_body()
            return StreamingResponse(iter([b"got ", body]), headers={"x-style": "b"})


        @app.route(route="plain")
        def plain(req: func.HttpRequest) -> func.HttpResponse:
            return func.HttpResponse("plain", headers={"x-plain": "yes"})
        """,
}

CLASSIC_GENERATOR_APP = {
    "host.json": '{"version": "2.0"}',
    "Lines/function.json": """
        {"scriptFile": "__init__.py", "bindings": [
          {"type": "httpTrigger", "direction": "in", "name": "req"},
          {"type": "http", "direction": "out", "name": "$return"}]}
        """,
    "Lines/__init__.py": """
        def main(req):
            yield "a,"
            yield b"b"
        """,
}

PLAIN_APP = {
    "host.json": '{"version": "2.0"}',
    "function_app.py": """
        import sys

        import azure.functions as func

        app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)


        @app.route(route="loaded")
        def loaded(req: func.HttpRequest) -> str:
            return f"uvicorn imported: {'uvicorn' in sys.modules}"
        """,
}

NO_FASTAPI_APP = {
    "host.json": '{"version": "2.0"}',
    "function_app.py": """
        import sys

        import azure.functions as func

        app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)


        @app.route(route="gen")
        def gen(req: func.HttpRequest):
            yield "starlette loaded: " + str("starlette" in sys.modules) + "\\n"
            yield "done\\n"
        """,
}
#: Packages that cannot be imported: put first on the worker's PYTHONPATH.
BLOCKED = {f"{name}/__init__.py": f"raise ImportError('{name} is not installed (test)')\n"
           for name in ("fastapi", "starlette")}


@contextlib.contextmanager
def socket_dir():
    """A short private directory for the worker's socket (sun_path holds ~107 bytes)."""
    path = tempfile.mkdtemp(prefix="fh-")
    os.chmod(path, 0o700)
    try:
        yield Path(path)
    finally:
        shutil.rmtree(path, ignore_errors=True)


@contextlib.asynccontextmanager
async def streaming_session(app, socket_path=None, env=None):
    """A worker initialised, indexed and loaded: yields (host, worker, init response, functions)."""
    environment = {"PYTHONDONTWRITEBYTECODE": "1", **(env or {})}
    if socket_path is not None:
        environment["FUNCTIONS_HOST_HTTP_SOCKET"] = str(socket_path)
    async with session(app, "grpc", dialect="functions", env=environment) as (host, worker):
        host.send(worker_init_request=protos.WorkerInitRequest(
            host_version="4.0.0-test", function_app_directory=str(app),
            worker_directory=str(WORKER_SCRIPT.parent)))
        init = (await host.expect("worker_init_response")).worker_init_response
        assert init.result.status == S.Success, init.result.exception.message
        host.send(request_id="meta", functions_metadata_request=protos.FunctionsMetadataRequest(
            function_app_directory=str(app)))
        metadata = (await host.expect("function_metadata_response")).function_metadata_response
        assert metadata.result.status == S.Success, metadata.result.exception.message
        functions = {m.name: m for m in metadata.function_metadata_results}
        for md in functions.values():
            host.send(function_load_request=protos.FunctionLoadRequest(
                function_id=md.function_id, metadata=md))
            loaded = (await host.expect("function_load_response")).function_load_response
            assert loaded.result.status == S.Success, (md.name, loaded.result.exception.message)
        yield host, worker, init, functions


def invoke_proxied(host, function, invocation_id, params=None):
    """Sends the InvocationRequest of a proxied invocation (the trigger carries route params only)."""
    request = protos.InvocationRequest(invocation_id=invocation_id,
                                       function_id=function.function_id)
    request.input_data.add(name="req", data=protos.TypedData(
        http=protos.RpcHttp(params=params or {})))
    host.send(invocation_request=request)


def invoke_buffered(host, function, invocation_id, url="http://localhost/api/x"):
    request = protos.InvocationRequest(invocation_id=invocation_id,
                                       function_id=function.function_id)
    request.input_data.add(name="req", data=protos.TypedData(http=protos.RpcHttp(
        method="GET", url=url, query={k: v[0] for k, v in
                                      urllib.parse.parse_qs(urllib.parse.urlsplit(url).query).items()})))
    host.send(invocation_request=request)


async def answer(host, invocation_id):
    return (await host.expect("invocation_response",
                              lambda m: m.invocation_response.invocation_id == invocation_id)
            ).invocation_response


async def log_containing(host, text):
    return (await host.expect("rpc_log", lambda m: text in m.rpc_log.message)).rpc_log


# -- capabilities and metadata -------------------------------------------------------------------

def test_capabilities_on_a_unix_socket_and_the_metadata_property():
    async def scenario():
        with socket_dir() as directory:
            path = directory / "http.sock"
            path.write_text("stale")  # an earlier worker's leftover is replaced
            async with streaming_session(EXAMPLE, path) as (host, _, init, functions):
                caps = init.capabilities
                assert caps["HttpUri"] == "http+unix://" + str(path).replace("/", "%2F")
                assert caps["RequiresRouteParameters"] == "true"
                assert caps["FunctionsHostHttpProxyPerFunction"] == "true"
                assert caps["RawHttpBodyBytes"] == "true"  # the existing ones stay
                assert stat.S_ISSOCK(path.stat().st_mode)
                assert stat.S_IMODE(path.stat().st_mode) == 0o600
                flagged = {name for name, md in functions.items()
                           if md.properties.get("FunctionsHostHttpProxy") == "true"}
                assert flagged == PROXIED
                assert set(functions) == PROXIED | {"hello"}
    run(scenario())


def test_tcp_listener_without_the_socket_variable():
    async def scenario():
        async with streaming_session(EXAMPLE) as (host, _, init, functions):
            uri = init.capabilities["HttpUri"]
            assert uri.startswith("http://127.0.0.1:") and int(uri.rsplit(":", 1)[1]) > 0
            client = await ProxyClient.connect(uri)
            await client.start("GET", "/api/lines?count=2", "inv-tcp")
            invoke_proxied(host, functions["stream_lines"], "inv-tcp")
            status, headers = await client.response()
            assert (status, headers["x-stream"]) == (200, "lines")
            assert await client.body() == b"line 0\nline 1\n"
            client.close()
    run(scenario())


# -- streamed responses --------------------------------------------------------------------------

def test_sse_events_arrive_as_separate_chunks():
    async def scenario():
        with socket_dir() as directory:
            async with streaming_session(EXAMPLE, directory / "h.sock") as (host, _, init, fns):
                client = await ProxyClient.connect(init.capabilities["HttpUri"])
                await client.start("GET", "/api/events", "inv-sse",
                                   headers=[("accept", "text/event-stream")])
                invoke_proxied(host, fns["events"], "inv-sse")
                reply = await answer(host, "inv-sse")
                assert reply.result.status == S.Success, reply.result.exception.message
                status, headers = await client.response()
                assert status == 200
                assert headers["content-type"].startswith("text/event-stream")
                chunks = []
                while (chunk := await client.next_chunk()):
                    chunks.append(chunk)
                assert chunks == [f"id: {n}\ndata: event {n}\n\n".encode() for n in range(5)]
                client.close()
    run(scenario())


def test_first_chunk_and_invocation_response_before_the_function_ends():
    async def scenario():
        with socket_dir() as directory, tempfile.TemporaryDirectory() as apps:
            app = write_app(Path(apps) / "gated", GATED_APP)
            async with streaming_session(app, directory / "h.sock") as (host, _, init, fns):
                client = await ProxyClient.connect(init.capabilities["HttpUri"])
                await client.start("GET", "/api/gated", "inv-g")
                invoke_proxied(host, fns["gated"], "inv-g")
                # Both arrive while the generator is parked on GATE: nothing waits for the end.
                assert (await answer(host, "inv-g")).result.status == S.Success
                assert (await client.response())[0] == 200
                assert await client.next_chunk() == b"first\n"
                invoke_buffered(host, fns["release"], "inv-r")
                assert (await answer(host, "inv-r")).return_value.http.body.bytes == b"released"
                assert await client.next_chunk() == b"second\n"
                assert await client.next_chunk() == b""
                client.close()
    run(scenario())


def test_download_of_generated_bytes():
    async def scenario():
        with socket_dir() as directory:
            async with streaming_session(EXAMPLE, directory / "h.sock") as (host, _, init, fns):
                client = await ProxyClient.connect(init.capabilities["HttpUri"])
                size = 3 * 1024 * 1024 + 5
                await client.start("GET", f"/api/download?bytes={size}", "inv-d")
                invoke_proxied(host, fns["download"], "inv-d")
                status, headers = await client.response()
                assert (status, headers["content-length"]) == (200, str(size))
                body = await client.body()
                block = bytes(range(256)) * 4096
                assert body == (block * 4)[:size]
                client.close()
    run(scenario())


@pytest.mark.parametrize("http_first", [True, False], ids=["http-first", "invocation-first"])
def test_both_arrival_orders_pair_by_invocation_id(http_first):
    async def scenario():
        with socket_dir() as directory:
            async with streaming_session(EXAMPLE, directory / "h.sock") as (host, _, init, fns):
                client = await ProxyClient.connect(init.capabilities["HttpUri"])
                if http_first:
                    await client.start("GET", "/api/lines?count=1", "inv-o")
                    invoke_proxied(host, fns["stream_lines"], "inv-o")
                else:
                    invoke_proxied(host, fns["stream_lines"], "inv-o")
                    # The worker handles messages in order: once this answer is here, the
                    # invocation has reached the dispatcher before the HTTP request is sent.
                    host.send(request_id="st", worker_status_request=protos.WorkerStatusRequest())
                    await host.expect("worker_status_response")
                    await client.start("GET", "/api/lines?count=1", "inv-o")
                assert (await answer(host, "inv-o")).result.status == S.Success
                assert (await client.response())[0] == 200
                assert await client.body() == b"line 0\n"
                client.close()
    run(scenario())


def test_route_params_query_and_body_reach_both_request_kinds():
    async def scenario():
        with socket_dir() as directory, tempfile.TemporaryDirectory() as apps:
            app = write_app(Path(apps) / "gated", GATED_APP)
            async with streaming_session(app, directory / "h.sock") as (host, _, init, fns):
                uri = init.capabilities["HttpUri"]
                client = await ProxyClient.connect(uri)
                await client.start("POST", "/api/items/pen?q=7", "inv-i", body=b"payload")
                invoke_proxied(host, fns["items"], "inv-i", params={"name": "pen"})
                assert (await client.response())[0] == 200
                assert await client.body() == b"name=pen q=7 payload"
                client.close()
                client = await ProxyClient.connect(uri)
                await client.start("GET", "/api/where/desk?q=x", "inv-w")
                invoke_proxied(host, fns["where"], "inv-w", params={"name": "desk"})
                status, headers = await client.response()
                assert (status, headers["content-type"]) == (200, "application/json")
                assert json.loads(await client.body()) == {"name": "desk", "q": "x"}
                client.close()
    run(scenario())


# -- pairing failures ----------------------------------------------------------------------------

def test_unknown_invocation_id_gets_404_and_an_unpaired_invocation_fails():
    async def scenario():
        with socket_dir() as directory:
            env = {"FUNCTIONS_HOST_HTTP_PAIRING_TIMEOUT": "0.3"}
            async with streaming_session(EXAMPLE, directory / "h.sock", env) as (
                    host, _, init, fns):
                client = await ProxyClient.connect(init.capabilities["HttpUri"])
                await client.start("GET", "/api/lines", "never-sent")
                status, _ = await client.response()
                assert status == 404
                assert b"never-sent" in await client.body()
                await client.start("GET", "/api/lines", None)  # the same connection is reusable
                assert (await client.response())[0] == 400
                await client.body()
                client.close()
                invoke_proxied(host, fns["stream_lines"], "no-http")
                reply = await answer(host, "no-http")
                assert reply.result.status == S.Failure
                assert "x-ms-invocation-id no-http" in reply.result.exception.message
    run(scenario())


# -- request bodies ------------------------------------------------------------------------------

def test_upload_is_seen_chunk_by_chunk_before_the_body_ends():
    async def scenario():
        with socket_dir() as directory, tempfile.TemporaryDirectory() as apps:
            app = write_app(Path(apps) / "gated", GATED_APP)
            async with streaming_session(app, directory / "h.sock") as (host, _, init, fns):
                client = await ProxyClient.connect(init.capabilities["HttpUri"])
                await client.start("POST", "/api/chunks", "inv-u")
                invoke_proxied(host, fns["chunks"], "inv-u")
                await client.send_chunk(b"a" * 1000)
                assert (await log_containing(host, "chunk 1:")).message == "chunk 1: 1000 bytes"
                await client.send_chunk(b"b" * 10)
                assert (await log_containing(host, "chunk 2:")).message == "chunk 2: 10 bytes"
                await client.end()
                assert (await client.response())[0] == 200
                assert json.loads(await client.body()) == {"chunks": 2}
                client.close()
    run(scenario())


def test_example_upload_counts_and_hashes_the_stream():
    async def scenario():
        with socket_dir() as directory:
            async with streaming_session(EXAMPLE, directory / "h.sock") as (host, _, init, fns):
                client = await ProxyClient.connect(init.capabilities["HttpUri"])
                await client.start("POST", "/api/upload", "inv-up")
                invoke_proxied(host, fns["upload"], "inv-up")
                parts = [os.urandom(100_000) for _ in range(5)]
                for part in parts:
                    await client.send_chunk(part)
                await client.end()
                assert (await client.response())[0] == 200
                data = b"".join(parts)
                assert json.loads(await client.body()) == {
                    "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
                client.close()
    run(scenario())


# -- stopping ------------------------------------------------------------------------------------

def test_client_disconnect_stops_the_generator_and_the_worker_stays_healthy():
    async def scenario():
        with socket_dir() as directory:
            async with streaming_session(EXAMPLE, directory / "h.sock") as (host, _, init, fns):
                uri = init.capabilities["HttpUri"]
                client = await ProxyClient.connect(uri)
                await client.start("GET", "/api/ticker", "inv-t")
                invoke_proxied(host, fns["ticker"], "inv-t")
                assert (await client.response())[0] == 200
                assert await client.next_chunk() == b"tick 0\n"
                client.close()
                stopped = await log_containing(host, "stream stopped")
                assert stopped.invocation_id == "inv-t"
                invoke_buffered(host, fns["hello"], "inv-h", "http://localhost/api/hello?name=z")
                assert (await answer(host, "inv-h")).return_value.http.body.bytes == b"Hello, z!"
                again = await ProxyClient.connect(uri)
                await again.start("GET", "/api/lines?count=1", "inv-l")
                invoke_proxied(host, fns["stream_lines"], "inv-l")
                assert (await again.response())[0] == 200
                assert await again.body() == b"line 0\n"
                again.close()
    run(scenario())


def test_invocation_cancel_stops_a_streaming_response():
    async def scenario():
        with socket_dir() as directory:
            async with streaming_session(EXAMPLE, directory / "h.sock") as (host, _, init, fns):
                client = await ProxyClient.connect(init.capabilities["HttpUri"])
                await client.start("GET", "/api/ticker", "inv-c")
                invoke_proxied(host, fns["ticker"], "inv-c")
                assert (await answer(host, "inv-c")).result.status == S.Success
                assert (await client.response())[0] == 200
                assert await client.next_chunk() == b"tick 0\n"
                host.send(invocation_cancel=protos.InvocationCancel(invocation_id="inv-c"))
                await log_containing(host, "stream stopped")
                while (chunk := await client.next_chunk()) is not None:
                    assert chunk.startswith(b"tick ")  # the stream is cut, never completed
                client.close()
    run(scenario())


def test_function_raising_gets_500_and_a_failed_invocation():
    async def scenario():
        with socket_dir() as directory, tempfile.TemporaryDirectory() as apps:
            app = write_app(Path(apps) / "gated", GATED_APP)
            async with streaming_session(app, directory / "h.sock") as (host, _, init, fns):
                client = await ProxyClient.connect(init.capabilities["HttpUri"])
                await client.start("GET", "/api/boom", "inv-b")
                invoke_proxied(host, fns["boom"], "inv-b")
                reply = await answer(host, "inv-b")
                assert reply.result.status == S.Failure
                assert "boom before any response" in reply.result.exception.message
                assert (await client.response())[0] == 500
                await client.body()
                client.close()
    run(scenario())


# -- not proxied ---------------------------------------------------------------------------------

def test_generator_function_not_proxied_gets_a_buffered_body():
    async def scenario():
        with socket_dir() as directory:
            async with streaming_session(EXAMPLE, directory / "h.sock") as (host, _, init, fns):
                for invocation_id in ("inv-1", "inv-2"):
                    invoke_buffered(host, fns["stream_lines"], invocation_id,
                                    "http://localhost/api/lines?count=3")
                    reply = await answer(host, invocation_id)
                    assert reply.result.status == S.Success, reply.result.exception.message
                    http = reply.return_value.http
                    assert http.body.bytes == b"line 0\nline 1\nline 2\n"
                    assert http.headers["x-stream"] == "lines"
                warnings = [log for log in host.logs() if "not proxied" in log.message]
                assert len(warnings) == 1 and "'stream_lines'" in warnings[0].message
    run(scenario())


def test_plain_function_proxied_anyway_is_answered_over_http():
    async def scenario():
        with socket_dir() as directory, tempfile.TemporaryDirectory() as apps:
            app = write_app(Path(apps) / "gated", GATED_APP)
            async with streaming_session(app, directory / "h.sock") as (host, _, init, fns):
                assert "FunctionsHostHttpProxy" not in fns["plain"].properties
                client = await ProxyClient.connect(init.capabilities["HttpUri"])
                await client.start("GET", "/api/plain", "inv-p")
                invoke_proxied(host, fns["plain"], "inv-p")
                status, headers = await client.response()
                assert (status, headers["x-plain"]) == (200, "yes")
                assert await client.body() == b"plain"
                client.close()
    run(scenario())


def test_generator_style_needs_neither_fastapi_nor_starlette():
    async def scenario():
        with socket_dir() as directory, tempfile.TemporaryDirectory() as apps:
            app = write_app(Path(apps) / "nofastapi", NO_FASTAPI_APP)
            blocked = write_app(Path(apps) / "blocked", BLOCKED)
            env = {"PYTHONPATH": str(blocked)}
            async with streaming_session(app, directory / "h.sock", env) as (host, _, init, fns):
                assert fns["gen"].properties["FunctionsHostHttpProxy"] == "true"
                client = await ProxyClient.connect(init.capabilities["HttpUri"])
                await client.start("GET", "/api/gen", "inv-n")
                invoke_proxied(host, fns["gen"], "inv-n")
                assert (await client.response())[0] == 200
                assert await client.body() == b"starlette loaded: False\ndone\n"
                client.close()
    run(scenario())


def test_invocation_cancel_before_a_response_exists():
    async def scenario():
        with socket_dir() as directory, tempfile.TemporaryDirectory() as apps:
            app = write_app(Path(apps) / "gated", GATED_APP)
            async with streaming_session(app, directory / "h.sock") as (host, _, init, fns):
                client = await ProxyClient.connect(init.capabilities["HttpUri"])
                await client.start("GET", "/api/slow", "inv-s")
                invoke_proxied(host, fns["slow"], "inv-s")
                await log_containing(host, "slow started")
                host.send(invocation_cancel=protos.InvocationCancel(invocation_id="inv-s"))
                assert (await answer(host, "inv-s")).result.status == S.Cancelled
                await log_containing(host, "slow cancelled")
                assert (await client.response())[0] == 500
                await client.body()
                client.close()
    run(scenario())


def test_an_app_without_streaming_functions_never_imports_uvicorn():
    async def scenario():
        with socket_dir() as directory, tempfile.TemporaryDirectory() as apps:
            app = write_app(Path(apps) / "plain", PLAIN_APP)
            async with streaming_session(app, directory / "h.sock") as (host, _, init, fns):
                assert init.capabilities["HttpUri"].startswith("http+unix://")
                assert "FunctionsHostHttpProxy" not in fns["loaded"].properties
                invoke_buffered(host, fns["loaded"], "inv-p")
                reply = await answer(host, "inv-p")
                body = reply.return_value.http.body
                assert (body.string or body.bytes.decode()) == "uvicorn imported: False", body
    run(scenario())


def test_client_disconnect_stops_a_starlette_streaming_response():
    async def scenario():
        with socket_dir() as directory, tempfile.TemporaryDirectory() as apps:
            app = write_app(Path(apps) / "gated", GATED_APP)
            async with streaming_session(app, directory / "h.sock") as (host, _, init, fns):
                client = await ProxyClient.connect(init.capabilities["HttpUri"])
                await client.start("GET", "/api/forever", "inv-f")
                invoke_proxied(host, fns["forever"], "inv-f")
                assert (await client.response())[0] == 200
                assert await client.next_chunk() == b"tick\n"
                client.close()
                assert (await log_containing(host, "asgi stream stopped")).invocation_id == "inv-f"
                invoke_buffered(host, fns["plain"], "inv-p")
                assert (await answer(host, "inv-p")).result.status == S.Success
    run(scenario())


def test_style_b_func_request_with_a_starlette_response():
    async def scenario():
        with socket_dir() as directory, tempfile.TemporaryDirectory() as apps:
            app = write_app(Path(apps) / "gated", GATED_APP)
            async with streaming_session(app, directory / "h.sock") as (host, _, init, fns):
                assert fns["style_b"].properties["FunctionsHostHttpProxy"] == "true"
                client = await ProxyClient.connect(init.capabilities["HttpUri"])
                await client.start("POST", "/api/styleb", "inv-sb", body=b"it")
                invoke_proxied(host, fns["style_b"], "inv-sb")
                assert (await answer(host, "inv-sb")).result.status == S.Success
                status, headers = await client.response()
                assert (status, headers["x-style"]) == (200, "b")
                assert await client.body() == b"got it"
                client.close()
    run(scenario())


def test_classic_generator_function_is_buffered():
    async def scenario():
        with socket_dir() as directory, tempfile.TemporaryDirectory() as apps:
            app = write_app(Path(apps) / "classic", CLASSIC_GENERATOR_APP)
            env = {"PYTHONDONTWRITEBYTECODE": "1",
                   "FUNCTIONS_HOST_HTTP_SOCKET": str(directory / "h.sock")}
            async with session(app, "grpc", dialect="functions", env=env) as (host, _):
                host.send(worker_init_request=protos.WorkerInitRequest(
                    host_version="4.0.0-test", function_app_directory=str(app),
                    worker_directory=str(WORKER_SCRIPT.parent)))
                await host.expect("worker_init_response")
                metadata = protos.RpcFunctionMetadata(
                    name="Lines", directory=str(app / "Lines"),
                    script_file=str(app / "Lines" / "__init__.py"))
                metadata.bindings["req"].type = "httpTrigger"
                metadata.bindings["$return"].type = "http"
                metadata.bindings["$return"].direction = protos.BindingInfo.out
                host.send(function_load_request=protos.FunctionLoadRequest(
                    function_id="id-lines", metadata=metadata))
                loaded = (await host.expect("function_load_response")).function_load_response
                assert loaded.result.status == S.Success, loaded.result.exception.message
                invoke_buffered(host, protos.RpcFunctionMetadata(function_id="id-lines"), "inv-c")
                reply = await answer(host, "inv-c")
                assert reply.result.status == S.Success, reply.result.exception.message
                assert reply.return_value.http.body.bytes == b"a,b"
                assert any("'Lines'" in log.message and "not proxied" in log.message
                           for log in host.logs())
    run(scenario())


def test_worker_terminate_with_a_stream_open_exits_cleanly_and_removes_the_socket():
    from google.protobuf.duration_pb2 import Duration

    async def scenario():
        with socket_dir() as directory:
            path = directory / "h.sock"
            async with streaming_session(EXAMPLE, path) as (host, worker, init, fns):
                client = await ProxyClient.connect(init.capabilities["HttpUri"])
                await client.start("GET", "/api/ticker", "inv-x")
                invoke_proxied(host, fns["ticker"], "inv-x")
                assert (await client.response())[0] == 200
                assert await client.next_chunk() == b"tick 0\n"
                host.send(worker_terminate=protos.WorkerTerminate(grace_period=Duration(seconds=2)))
                assert await worker.wait() == 0, worker.output()
                stderr = worker.stderr.decode(errors="replace")
                assert "Traceback" not in stderr and "ERROR" not in stderr, worker.output()
                assert not path.exists()
                while (chunk := await client.next_chunk()) is not None:
                    assert chunk.startswith(b"tick ")  # cut when the worker went away
                client.close()
    run(scenario())


def test_a_socket_path_that_cannot_be_bound_is_named_and_nothing_is_advertised():
    async def scenario():
        async with streaming_session(EXAMPLE, "relative/h.sock") as (host, _, init, fns):
            assert "HttpUri" not in init.capabilities
            assert "FunctionsHostHttpProxyPerFunction" not in init.capabilities
            errors = [log.message for log in host.logs() if "FUNCTIONS_HOST_HTTP_SOCKET" in
                      log.message]
            assert errors and "'relative/h.sock' is not an absolute path" in errors[0], errors
            invoke_buffered(host, fns["hello"], "inv-h", "http://localhost/api/hello")
            assert (await answer(host, "inv-h")).result.status == S.Success
    run(scenario())
