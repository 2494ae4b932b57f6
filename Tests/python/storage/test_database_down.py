"""PostgreSQL unreachable: a wrong URL at start is a clear error; while the database is down the HTTP
functions keep serving; when it is back the queue triggers resume, and messages accepted before the
outage are processed."""
from __future__ import annotations

import json
import subprocess
import textwrap
import time
import urllib.request

import pytest

from live_host import LiveHost, host_binary
from pg_cluster import Cluster, _free_port, pg_bin

pytest.importorskip("azure.storage.queue")
from azure.core.exceptions import ResourceExistsError  # noqa: E402
from azure.storage.queue import QueueClient, TextBase64DecodePolicy, TextBase64EncodePolicy  # noqa: E402

pytestmark = [
    pytest.mark.skipif(host_binary() is None, reason="functions-host is not built (swift build)"),
    pytest.mark.skipif(pg_bin() is None, reason="PostgreSQL is not installed (apt-get install postgresql)"),
]


def _app(root):
    for folder in ("hello", "work"):
        (root / folder).mkdir(parents=True)
    (root / "host.json").write_text(json.dumps({"version": "2.0", "extensions": {"queues": {"maxPollingInterval": "00:00:02"}}}))
    (root / "local.settings.json").write_text(json.dumps({"IsEncrypted": False, "Values": {
        "FUNCTIONS_WORKER_RUNTIME": "python", "AzureWebJobsStorage": "UseDevelopmentStorage=true"}}))
    (root / "hello" / "function.json").write_text(json.dumps({"bindings": [
        {"name": "req", "type": "httpTrigger", "direction": "in", "authLevel": "anonymous"},
        {"name": "$return", "type": "http", "direction": "out"}]}))
    (root / "hello" / "__init__.py").write_text("def main(req) -> str:\n    return 'hello'\n")
    (root / "work" / "function.json").write_text(json.dumps({"bindings": [
        {"name": "msg", "type": "queueTrigger", "direction": "in", "queueName": "work",
         "connection": "AzureWebJobsStorage"},
        {"name": "$return", "type": "queue", "direction": "out", "queueName": "done",
         "connection": "AzureWebJobsStorage"}]}))
    (root / "work" / "__init__.py").write_text(textwrap.dedent("""
        def main(msg: str) -> str:
            return f"done {msg}"
    """))
    return root


def test_a_wrong_database_url_at_start_is_a_clear_error(tmp_path):
    app = _app(tmp_path / "app")
    port = _free_port()  # nothing listens there
    result = subprocess.run(
        [str(host_binary()), "start", "--script-root", str(app), "--port", "0", "--blob-port", "0",
         "--queue-port", "0", "--no-auth", "--no-reload", "--store", f"postgres://postgres@127.0.0.1:{port}/nowhere"],
        capture_output=True, text=True, timeout=120)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert f"127.0.0.1:{port}" in output, output  # names what failed
    assert "Traceback" not in output and "Fatal error" not in output


def test_http_keeps_serving_while_the_database_is_down_and_triggers_resume(tmp_path):
    cluster = Cluster()
    host = None
    try:
        url = cluster.create_database("outage")
        host = LiveHost(_app(tmp_path / "app"), url)
        work = QueueClient.from_connection_string(host.connection_string, "work", message_encode_policy=TextBase64EncodePolicy())
        done = QueueClient.from_connection_string(host.connection_string, "done", message_decode_policy=TextBase64DecodePolicy())
        for client in (work, done):
            try:
                client.create_queue()
            except ResourceExistsError:
                pass

        def outputs(expected: set[str], timeout: float = 90.0) -> set[str]:
            seen: set[str] = set()
            deadline = time.monotonic() + timeout
            while not expected <= seen:
                assert time.monotonic() < deadline, f"missing {expected - seen} after {timeout:g} s:\n" + "\n".join(host.lines[-30:])
                batch = list(done.receive_messages(messages_per_page=32))
                for m in batch:
                    seen.add(m.content)
                    done.delete_message(m)
                if not batch:
                    time.sleep(0.1)
            return seen

        work.send_message("before")
        outputs({"done before"})

        mark = len(host.lines)
        cluster.pause()
        # HTTP functions do not need the store: they keep answering.
        for _ in range(20):
            with urllib.request.urlopen(f"{host.http}/api/hello", timeout=10) as response:
                assert response.status == 200 and response.read() == b"hello"
        # The outage is reported (the listeners' store calls fail and back off).
        host.wait_for(r"the LISTEN connection to 127\.0\.0\.1:\d+/outage failed", timeout=60, start=mark)

        cluster.resume()
        # Messages accepted once the database is back are processed: the triggers resumed by themselves.
        deadline = time.monotonic() + 60
        while True:
            try:
                work.send_message("after")
                break
            except Exception:  # the host's pool reconnects on first use after the outage
                assert time.monotonic() < deadline, "the queue endpoint did not recover within 60 s"
                time.sleep(0.5)
        outputs({"done after"})
        with urllib.request.urlopen(f"{host.http}/api/hello", timeout=10) as response:
            assert response.status == 200
    finally:
        if host:
            host.stop()
        cluster.stop()
