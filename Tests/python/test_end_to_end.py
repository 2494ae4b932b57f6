"""worker.py as a subprocess against a fake host speaking the real gRPC protocol on TCP and on a
Unix socket (and the same messages over the raw Unix-socket transport)."""
import socket
import sys

import pytest
from google.protobuf.duration_pb2 import Duration

import FunctionRpc_pb2 as protos
from conftest import WORKER_SCRIPT, write_app
from fakehost import launch_worker, run, session

S = protos.StatusResult

CLASSIC_APP = {
    "host.json": '{"version": "2.0"}',
    "shared_code/__init__.py": "GREETING = 'hello'\n",
    "HttpEcho/function.json": """
        {"scriptFile": "__init__.py", "bindings": [
          {"type": "httpTrigger", "direction": "in", "name": "req"},
          {"type": "http", "direction": "out", "name": "$return"}]}
        """,
    "HttpEcho/__init__.py": """
        import logging

        import azure.functions as func

        from ..shared_code import GREETING


        def main(req: func.HttpRequest, context: func.Context) -> func.HttpResponse:
            logging.info("handling %s", req.params.get("name"))
            print("printed by", context.function_name)
            return func.HttpResponse(f"{GREETING} {req.params['name']} {req.get_body().decode()}",
                                     status_code=201,
                                     headers={"x-invocation": context.invocation_id})
        """,
    "Fails/__init__.py": """
        def main(req):
            raise ValueError("boom")
        """,
    "Broken/__init__.py": "def main(req:\n",
    "SlowAsync/__init__.py": """
        import asyncio
        import logging


        async def main(req):
            logging.info("started")
            try:
                await asyncio.sleep(3600)
            except asyncio.CancelledError:
                logging.warning("cancelled")
                raise
        """,
    "SlowSync/__init__.py": """
        import logging
        import threading


        def main(req):
            logging.info("started")
            threading.Event().wait(3600)
            return "late"
        """,
    "Drain/__init__.py": """
        import asyncio
        import logging


        async def main(req):
            logging.info("started")
            await asyncio.sleep(0.5)
            return "drained"
        """,
    "Env/__init__.py": """
        import os


        def main(req):
            return os.environ.get("RELOADED", "<unset>") + " " + os.getcwd()
        """,
}

HTTP_BINDINGS = {"req": protos.BindingInfo(type="httpTrigger", direction=0),
                 "$return": protos.BindingInfo(type="http", direction=1)}


def http_request(name="ann", body=b""):
    return protos.TypedData(http=protos.RpcHttp(
        method="POST", url=f"http://127.0.0.1/api/x?name={name}", query={"name": name},
        headers={"content-type": "text/plain"}, body=protos.TypedData(bytes=body)))


def invocation(function_id, invocation_id, name="ann", body=b""):
    request = protos.InvocationRequest(invocation_id=invocation_id, function_id=function_id)
    request.input_data.add(name="req", data=http_request(name, body))
    return request


async def init(host, app):
    host.send(worker_init_request=protos.WorkerInitRequest(
        host_version="4.0.0-test", function_app_directory=str(app),
        worker_directory=str(WORKER_SCRIPT.parent), capabilities={"MultiStream": "10"}))
    return (await host.expect("worker_init_response")).worker_init_response


async def load_classic(host, app, *names):
    for name in names:
        host.send(function_load_request=protos.FunctionLoadRequest(
            function_id=f"id-{name}", metadata=protos.RpcFunctionMetadata(
                name=name, directory=str(app / name),
                script_file=str(app / name / "__init__.py"), bindings=HTTP_BINDINGS)))
    results = {}
    for _ in names:
        reply = (await host.expect("function_load_response")).function_load_response
        results[reply.function_id[3:]] = reply.result
    return results


async def invoke(host, function_id, invocation_id, **kwargs):
    host.send(invocation_request=invocation(function_id, invocation_id, **kwargs))
    return (await host.expect("invocation_response",
                              lambda m: m.invocation_response.invocation_id == invocation_id)
            ).invocation_response


@pytest.fixture(params=["grpc", "h2uds", "grpcio"])
def transport(request):
    """Every session test runs over gRPC on TCP and on a Unix socket (the worker's h2 client),
    over the raw Unix-socket transport, and with the worker on its grpc.aio fallback."""
    return request.param


@pytest.fixture
def classic_app(tmp_path):
    return write_app(tmp_path / "classic", CLASSIC_APP)


def test_classic_app_init_load_invoke(classic_app, transport):
    async def scenario():
        async with session(classic_app, transport) as (host, worker):
            response = await init(host, classic_app)
            assert response.result.status == S.Success
            for capability in ("RawHttpBodyBytes", "RpcHttpBodyOnly", "WorkerStatus",
                               "RpcHttpTriggerMetadataRemoved", "TypedDataCollection",
                               "HandlesInvocationCancelMessage",
                               "HandlesWorkerTerminateMessage"):
                assert response.capabilities[capability] == "true"
            meta = response.worker_metadata
            assert meta.runtime_name == "python" and meta.worker_version and \
                meta.worker_bitness
            assert meta.runtime_version == f"{sys.version_info.major}.{sys.version_info.minor}"

            host.send(request_id="status-1", worker_status_request=protos.WorkerStatusRequest())
            assert (await host.expect("worker_status_response")).request_id == "status-1"

            results = await load_classic(host, classic_app, "HttpEcho", "Broken", "Fails")
            assert results["HttpEcho"].status == S.Success
            assert results["Fails"].status == S.Success
            assert results["Broken"].status == S.Failure
            assert "SyntaxError" in results["Broken"].exception.message
            assert str(classic_app / "Broken" / "__init__.py") in \
                results["Broken"].exception.message

            reply = await invoke(host, "id-HttpEcho", "inv-1", name="bob", body=b"!")
            assert reply.result.status == S.Success, reply.result.exception.message
            http = reply.return_value.http
            assert http.status_code == "201"
            assert http.body.bytes == b"hello bob !"
            assert http.headers["x-invocation"] == "inv-1"
            messages = [log.message for log in host.logs("inv-1")]
            assert "handling bob" in messages and "printed by HttpEcho" in messages
            response_at = host.index_of(lambda m: m.WhichOneof("content") ==
                                        "invocation_response")
            assert all(host.index_of(lambda m, text=text: m.rpc_log.message == text)
                       < response_at for text in ("handling bob", "printed by HttpEcho"))

            failed = await invoke(host, "id-Fails", "inv-2")
            assert failed.result.status == S.Failure
            assert failed.result.exception.message == "ValueError: boom"
            assert "Fails/__init__.py" in failed.result.exception.stack_trace
            errors = [log for log in host.logs("inv-2") if log.level == protos.RpcLog.Error]
            assert errors and "ValueError: boom" in errors[0].exception.message

            not_loaded = await invoke(host, "id-Broken", "inv-3")
            assert not_loaded.result.status == S.Failure
            # The worker is still healthy after all of this.
            assert (await invoke(host, "id-HttpEcho", "inv-4")).result.status == S.Success
    run(scenario())


DECORATOR_APP = {
    "function_app.py": """
        import logging

        import azure.functions as func

        app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)


        @app.route(route="hello")
        def hello(req: func.HttpRequest) -> str:
            logging.getLogger("user.code").info("hello called")
            return "Hello, " + req.params.get("name", "nobody")


        @app.route(route="async")
        async def async_json(req: func.HttpRequest) -> func.HttpResponse:
            return func.HttpResponse('{"ok": true}', mimetype="application/json")
        """,
}


def test_decorator_app_metadata_load_invoke(tmp_path, transport):
    app = write_app(tmp_path / "v2", DECORATOR_APP)

    async def scenario():
        async with session(app, transport, dialect="functions") as (host, worker):
            assert (await init(host, app)).result.status == S.Success
            host.send(request_id="meta-1", functions_metadata_request=protos.FunctionsMetadataRequest(
                function_app_directory=str(app)))
            reply = await host.expect("function_metadata_response")
            assert reply.request_id == "meta-1"
            response = reply.function_metadata_response
            assert response.result.status == S.Success, response.result.exception.message
            assert not response.use_default_metadata_indexing
            functions = {m.name: m for m in response.function_metadata_results}
            assert set(functions) == {"hello", "async_json"}
            for md in functions.values():
                md.properties["FunctionId"] = md.function_id  # what the host adds
                host.send(function_load_request=protos.FunctionLoadRequest(
                    function_id=md.function_id, metadata=md))
                loaded = (await host.expect("function_load_response")).function_load_response
                assert loaded.result.status == S.Success, loaded.result.exception.message

            hello = await invoke(host, functions["hello"].function_id, "inv-h", name="zoe")
            assert hello.result.status == S.Success
            assert hello.return_value.http.status_code == "200"
            assert hello.return_value.http.body.string == "Hello, zoe"
            assert [log.category for log in host.logs("inv-h")] == ["user.code"]

            async_reply = await invoke(host, functions["async_json"].function_id, "inv-a")
            assert async_reply.return_value.http.headers["content-type"] == "application/json"
            assert async_reply.return_value.http.body.bytes == b'{"ok": true}'
    run(scenario())


def test_app_without_function_app_py_asks_for_default_indexing(classic_app, transport):
    async def scenario():
        async with session(classic_app, transport) as (host, worker):
            await init(host, classic_app)
            host.send(request_id="m", functions_metadata_request=protos.FunctionsMetadataRequest(
                function_app_directory=str(classic_app)))
            response = (await host.expect("function_metadata_response")).function_metadata_response
            assert response.use_default_metadata_indexing
            assert response.result.status == S.Success
    run(scenario())


def test_cancel_async_and_sync_invocations(classic_app, transport):
    async def scenario():
        async with session(classic_app, transport) as (host, worker):
            await init(host, classic_app)
            await load_classic(host, classic_app, "SlowAsync", "SlowSync", "HttpEcho")
            for function, invocation_id in (("SlowAsync", "inv-async"), ("SlowSync", "inv-sync")):
                host.send(invocation_request=invocation(f"id-{function}", invocation_id))
                await host.expect("rpc_log", lambda m, i=invocation_id:
                                  m.rpc_log.invocation_id == i and m.rpc_log.message == "started")
                host.send(invocation_cancel=protos.InvocationCancel(invocation_id=invocation_id))
                reply = (await host.expect("invocation_response")).invocation_response
                assert reply.invocation_id == invocation_id
                assert reply.result.status == S.Cancelled
            # The async function really was cancelled (it logged from its except block).
            await host.expect("rpc_log", lambda m: m.rpc_log.message == "cancelled")
            # Cancelling something already finished or unknown is harmless.
            host.send(invocation_cancel=protos.InvocationCancel(invocation_id="nope"))
            assert (await invoke(host, "id-HttpEcho", "inv-after")).result.status == S.Success
            # Terminate while a cancelled sync call still blocks its thread: exits promptly.
            host.send(worker_terminate=protos.WorkerTerminate(grace_period=Duration(seconds=2)))
            assert await worker.wait() == 0
            responses = [m for m in host.received if m.WhichOneof("content") ==
                         "invocation_response"]
            assert len(responses) == 3  # the sync function's late result was never sent
    run(scenario())


def test_a_cancelled_sync_call_that_keeps_running_is_reported_to_the_host(classic_app, transport):
    still_running = "FunctionsHost.InvocationStillRunning"

    async def scenario():
        async with session(classic_app, transport) as (host, worker):
            await init(host, classic_app)
            await load_classic(host, classic_app, "SlowAsync", "SlowSync")
            for function, invocation_id in (("SlowAsync", "inv-async"), ("SlowSync", "inv-sync")):
                host.send(invocation_request=invocation(f"id-{function}", invocation_id))
                await host.expect("rpc_log", lambda m, i=invocation_id:
                                  m.rpc_log.invocation_id == i and m.rpc_log.message == "started")
                host.send(invocation_cancel=protos.InvocationCancel(invocation_id=invocation_id))
                reply = (await host.expect("invocation_response")).invocation_response
                assert reply.result.status == S.Cancelled
            signals = [m.rpc_log for m in host.received if m.WhichOneof("content") == "rpc_log"
                       and m.rpc_log.event_id == still_running]
            # Only the sync call keeps a thread busy; the signal names it and comes before its
            # Cancelled response (while the host still tracks the invocation).
            assert [s.invocation_id for s in signals] == ["inv-sync"]
            assert signals[0].level == protos.RpcLog.Warning
            assert signals[0].log_category == protos.RpcLog.System
            assert "SlowSync" in signals[0].message
            kinds = [(m.WhichOneof("content"), m) for m in host.received]
            signal_at = next(i for i, (k, m) in enumerate(kinds)
                             if k == "rpc_log" and m.rpc_log.event_id == still_running)
            answer_at = next(i for i, (k, m) in enumerate(kinds) if k == "invocation_response"
                             and m.invocation_response.invocation_id == "inv-sync")
            assert signal_at < answer_at
            host.send(worker_terminate=protos.WorkerTerminate(grace_period=Duration(seconds=2)))
            assert await worker.wait() == 0
    run(scenario())


def test_terminate_lets_in_flight_work_finish_then_exits_zero(classic_app, transport):
    async def scenario():
        async with session(classic_app, transport) as (host, worker):
            await init(host, classic_app)
            await load_classic(host, classic_app, "Drain")
            host.send(invocation_request=invocation("id-Drain", "inv-d"))
            await host.expect("rpc_log", lambda m: m.rpc_log.message == "started")
            host.send(worker_terminate=protos.WorkerTerminate(grace_period=Duration(seconds=5)))
            reply = (await host.expect("invocation_response")).invocation_response
            assert reply.result.status == S.Success
            assert reply.return_value.http.body.string == "drained"
            assert await worker.wait() == 0
    run(scenario())


def test_unknown_messages_are_ignored_and_environment_reload(classic_app, transport, tmp_path):
    other = tmp_path / "elsewhere"
    other.mkdir()

    async def scenario():
        async with session(classic_app, transport) as (host, worker):
            await init(host, classic_app)
            host.send(worker_heartbeat=protos.WorkerHeartbeat())
            host.send(file_change_event_request=protos.FileChangeEventRequest(name="x"))
            warning = await host.expect("rpc_log", lambda m: "worker_heartbeat" in
                                        m.rpc_log.message)
            assert warning.rpc_log.log_category == protos.RpcLog.System
            host.send(function_environment_reload_request=protos.FunctionEnvironmentReloadRequest(
                environment_variables={"RELOADED": "yes", "PATH": "/usr/bin:/bin"},
                function_app_directory=str(other)))
            reload = (await host.expect("function_environment_reload_response")
                      ).function_environment_reload_response
            assert reload.result.status == S.Success
            assert reload.capabilities["WorkerStatus"] == "true"
            await load_classic(host, classic_app, "Env")
            reply = await invoke(host, "id-Env", "inv-env")
            assert reply.return_value.http.body.string == f"yes {other}"
    run(scenario())


def test_worker_exits_zero_when_the_host_closes_the_stream(classic_app, transport):
    async def scenario():
        async with session(classic_app, transport) as (host, worker):
            await init(host, classic_app)
            host.close_stream()
            assert await worker.wait() == 0
    run(scenario())


def test_connect_failure_exits_non_zero_with_a_clear_message(classic_app):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    async def scenario():
        worker = await launch_worker(port, classic_app, worker_id="w")
        code = await worker.wait()
        assert code != 0
        assert "could not connect" in worker.stderr.decode()
        assert f"127.0.0.1:{port}" in worker.stderr.decode()
    run(scenario())
