"""HTTP streaming through the worker's proxy server (issue 15): worker.py as a subprocess against
the fake host, plus an HTTP/1.1 client on the worker's ``HttpUri`` socket playing the host's
forwarder. Streamed responses, request bodies and pairing; stopping and fallbacks are in
test_streaming_stop.py. Every wait is on an event (a reply, a log record, a chunk); timeouts only
guard against hangs."""
import hashlib
import json
import os
import stat
import tempfile
from pathlib import Path

import pytest

import FunctionRpc_pb2 as protos
from conftest import ROOT, write_app
from fakehost import (ProxyClient, answer, invoke_buffered, invoke_proxied, log_containing, run,
                      socket_dir, streaming_session)

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
