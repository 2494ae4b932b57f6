"""Storage bindings in the decorator model, and the load errors that keep an output from being dropped
silently: the real host and workers, the official SDKs as clients."""
from __future__ import annotations

import json
import textwrap
import urllib.error
import urllib.request

import pytest

from live_host import LiveHost, host_binary

azure_blob = pytest.importorskip("azure.storage.blob")
pytest.importorskip("azure.storage.queue")
from azure.storage.queue import QueueClient, TextBase64DecodePolicy  # noqa: E402
from test_storage_app import wait_for_messages  # noqa: E402

pytestmark = pytest.mark.skipif(host_binary() is None, reason="functions-host is not built (swift build)")

SETTINGS = {"IsEncrypted": False, "Values": {
    "FUNCTIONS_WORKER_RUNTIME": "python", "AzureWebJobsStorage": "UseDevelopmentStorage=true"}}


def request(method: str, url: str, body: bytes | None = None) -> tuple[int, bytes]:
    req = urllib.request.Request(url, data=body, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def decoded(host: LiveHost, name: str) -> QueueClient:
    return QueueClient.from_connection_string(
        host.connection_string, name, message_decode_policy=TextBase64DecodePolicy())


def test_decorator_model_queue_blob_and_timer(tmp_path):
    app = tmp_path / "app"
    app.mkdir()
    (app / "host.json").write_text(json.dumps({"version": "2.0"}))
    (app / "local.settings.json").write_text(json.dumps(SETTINGS))
    (app / "function_app.py").write_text(textwrap.dedent("""
        import azure.functions as func

        app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)


        @app.route(route="put/{name}", methods=["PUT"])
        @app.blob_output(arg_name="out", path="uploads/{name}", connection="AzureWebJobsStorage")
        @app.queue_output(arg_name="note", queue_name="notes", connection="AzureWebJobsStorage")
        def put(req: func.HttpRequest, out: func.Out[str], note: func.Out[str]) -> str:
            out.set(req.get_body().decode())
            note.set(f"stored {req.route_params['name']}")
            return "ok"


        @app.queue_trigger(arg_name="msg", queue_name="notes", connection="AzureWebJobsStorage")
        @app.queue_output(arg_name="echo", queue_name="echoes", connection="AzureWebJobsStorage")
        def on_note(msg: func.QueueMessage, echo: func.Out[str]) -> None:
            echo.set(msg.get_body().decode().upper())


        @app.blob_trigger(arg_name="blob", path="uploads/{name}", connection="AzureWebJobsStorage")
        @app.queue_output(arg_name="seen", queue_name="seen", connection="AzureWebJobsStorage")
        def on_upload(blob: func.InputStream, seen: func.Out[str]) -> None:
            seen.set(f"{blob.name} {blob.length}")


        @app.timer_trigger(arg_name="timer", schedule="0 0 0 1 1 *", run_on_startup=True, use_monitor=False)
        @app.queue_output(arg_name="started", queue_name="started", connection="AzureWebJobsStorage")
        def at_start(timer: func.TimerRequest, started: func.Out[str]) -> None:
            started.set(f"past due {timer.past_due}")
    """))
    host = LiveHost(app, tmp_path / "store.sqlite")
    try:
        assert request("PUT", f"{host.http}/api/put/a.txt", b"hello") == (200, b"ok")
        blobs = azure_blob.BlobServiceClient.from_connection_string(host.connection_string)
        assert blobs.get_blob_client("uploads", "a.txt").download_blob().readall() == b"hello"
        assert wait_for_messages(decoded(host, "echoes"), 1) == ["STORED A.TXT"]
        assert wait_for_messages(decoded(host, "seen"), 1) == ["uploads/a.txt 5"]
        assert wait_for_messages(decoded(host, "started"), 1) == ["past due False"]
    finally:
        host.stop()


def _write(root, files):
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content if isinstance(content, str) else json.dumps(content))


def test_bindings_the_host_cannot_serve_are_load_errors_not_silent_drops(tmp_path):
    app = tmp_path / "app"
    _write(app, {
        "host.json": {"version": "2.0"},
        "local.settings.json": SETTINGS,
        "tocosmos/function.json": {"bindings": [
            {"name": "req", "type": "httpTrigger", "direction": "in", "authLevel": "anonymous"},
            {"name": "doc", "type": "cosmosDB", "direction": "out", "databaseName": "db",
             "containerName": "c", "connection": "CosmosConn"},
            {"name": "$return", "type": "http", "direction": "out"}]},
        "tocosmos/__init__.py": "def main(req, doc):\n    doc.set('{}')\n    return 'stored'\n",
        "noconn/function.json": {"bindings": [
            {"name": "msg", "type": "queueTrigger", "direction": "in", "queueName": "q",
             "connection": "MissingConn"}]},
        "noconn/__init__.py": "def main(msg: str) -> None:\n    pass\n",
        "fine/function.json": {"bindings": [
            {"name": "req", "type": "httpTrigger", "direction": "in", "authLevel": "anonymous"},
            {"name": "$return", "type": "http", "direction": "out"}]},
        "fine/__init__.py": "def main(req):\n    return 'fine'\n",
    })
    host = LiveHost(app, tmp_path / "store.sqlite")
    try:
        host.wait_for(r"function 'tocosmos' cannot run: binding 'doc' \(cosmosDB\): this host does not serve")
        host.wait_for(r"function 'noconn' cannot run: .*'MissingConn' does not exist")
        status, body = request("GET", f"{host.http}/api/tocosmos")
        assert status == 500 and b"cosmosDB" in body
        assert request("GET", f"{host.http}/api/fine") == (200, b"fine")  # everything else keeps serving
    finally:
        host.stop()


def test_an_unresolvable_expression_fails_the_invocation_naming_it(tmp_path):
    app = tmp_path / "app"
    _write(app, {
        "host.json": {"version": "2.0"},
        "local.settings.json": SETTINGS,
        "save/function.json": {"bindings": [
            {"name": "req", "type": "httpTrigger", "direction": "in", "authLevel": "anonymous"},
            {"name": "out", "type": "blob", "direction": "out", "path": "saved/{customer}.txt",
             "connection": "AzureWebJobsStorage"},
            {"name": "$return", "type": "http", "direction": "out"}]},
        "save/__init__.py": "import azure.functions as func\n\n"
                            "def main(req: func.HttpRequest, out: func.Out[str]) -> str:\n"
                            "    out.set(req.get_body().decode())\n    return 'saved'\n",
    })
    host = LiveHost(app, tmp_path / "store.sqlite")
    try:
        # {customer} comes from the JSON body (top-level property) or the query.
        assert request("POST", f"{host.http}/api/save", json.dumps({"customer": "c1"}).encode()) == (200, b"saved")
        assert request("POST", f"{host.http}/api/save?customer=c2", b"plain") == (200, b"saved")
        status, body = request("POST", f"{host.http}/api/save", b"no customer here")
        assert status == 500 and b"customer" in body and b"save" in body
        blobs = azure_blob.BlobServiceClient.from_connection_string(host.connection_string)
        names = sorted(b.name for b in blobs.get_container_client("saved").list_blobs())
        assert names == ["c1.txt", "c2.txt"]
    finally:
        host.stop()


def test_hot_reload_moves_a_queue_trigger_to_its_new_queue(tmp_path):
    app = tmp_path / "app"
    binding = {"name": "msg", "type": "queueTrigger", "direction": "in", "queueName": "first",
               "connection": "AzureWebJobsStorage"}
    out = {"name": "$return", "type": "queue", "direction": "out", "queueName": "handled",
           "connection": "AzureWebJobsStorage"}
    _write(app, {
        "host.json": {"version": "2.0"},
        "local.settings.json": SETTINGS,
        "relay/function.json": {"bindings": [binding, out]},
        "relay/__init__.py": "def main(msg: str) -> str:\n    return 'got ' + msg\n",
    })
    host = LiveHost(app, tmp_path / "store.sqlite", reload=True)
    try:
        from azure.storage.queue import TextBase64EncodePolicy
        def sender(name):
            q = QueueClient.from_connection_string(
                host.connection_string, name, message_encode_policy=TextBase64EncodePolicy())
            q.create_queue()
            return q
        first, second = sender("first"), sender("second")
        first.send_message("one")
        assert wait_for_messages(decoded(host, "handled"), 1) == ["got one"]
        mark = len(host.lines)
        _write(app, {"relay/function.json": {"bindings": [{**binding, "queueName": "second"}, out]}})
        host.wait_for(r"hot reload: done", start=mark)
        second.send_message("two")
        first.send_message("ignored")
        assert sorted(wait_for_messages(decoded(host, "handled"), 2)) == ["got one", "got two"]
        assert [m.content for m in first.peek_messages()] != []  # nobody listens to 'first' any more
    finally:
        host.stop()
