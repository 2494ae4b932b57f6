"""HTTP streaming (issue 15), continued: a client that disconnects, InvocationCancel, failures,
a worker stopping, and the buffered paths (generator functions the host does not proxy, plain
functions it proxies anyway, apps without FastAPI or without streaming functions)."""
import tempfile
from pathlib import Path

import FunctionRpc_pb2 as protos
from conftest import WORKER_SCRIPT, write_app
from fakehost import (ProxyClient, answer, invoke_buffered, invoke_proxied, log_containing, run,
                      session, socket_dir, streaming_session)
from test_streaming import EXAMPLE, GATED_APP

S = protos.StatusResult

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
