"""The storage triggers and bindings end to end: the real host, real Python workers, and the official
Azure SDKs as clients of the host's own Blob and Queue endpoints.

- the guide's blob-input and queue-output examples, and the pipeline of Examples/storage;
- at-least-once across kill -9: messages and blobs a client was told are stored survive it, and a
  message whose function was running when the host died runs again after the restart;
- poison handling as the stock host does it.
"""
from __future__ import annotations

import json
import textwrap
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from live_host import ROOT, LiveHost, host_binary

azure_blob = pytest.importorskip("azure.storage.blob")
azure_queue = pytest.importorskip("azure.storage.queue")
from azure.storage.queue import QueueClient, TextBase64DecodePolicy, TextBase64EncodePolicy  # noqa: E402

pytestmark = pytest.mark.skipif(host_binary() is None, reason="functions-host is not built (swift build)")


def queue(host: LiveHost, name: str) -> QueueClient:
    return QueueClient.from_connection_string(
        host.connection_string, name, message_encode_policy=TextBase64EncodePolicy(),
        message_decode_policy=TextBase64DecodePolicy())


def wait_for_messages(client: QueueClient, count: int, timeout: float = 60.0) -> list[str]:
    """Peeks until `count` messages are there. The host's own log lines are what the test waits on
    elsewhere; queues have no push notification for an SDK client, so this one polls (bounded)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            messages = [m.content for m in client.peek_messages(max_messages=32)]
        except azure_queue.__dict__.get("ResourceNotFoundError", Exception):
            messages = []
        except Exception:  # the queue does not exist yet
            messages = []
        if len(messages) >= count or time.monotonic() > deadline:
            return messages
        time.sleep(0.05)


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


@pytest.fixture
def storage_app(tmp_path):
    host = LiveHost(ROOT / "Examples" / "storage", tmp_path / "store.sqlite")
    yield host
    host.stop()


def test_guide_blob_input_and_queue_output(storage_app):
    host = storage_app
    blobs = azure_blob.BlobServiceClient.from_connection_string(host.connection_string)
    blobs.create_container("samples")
    blobs.get_blob_client("samples", "report.txt").upload_blob(b"quarterly numbers")
    assert get(f"{host.http}/api/items/report.txt") == (200, b"quarterly numbers")
    status, body = get(f"{host.http}/api/items/nope.txt")
    assert status == 404 and b"samples/nope.txt" in body

    assert get(f"{host.http}/api/enqueue?body=hello%20queue") == (200, b"hello queue")
    assert wait_for_messages(queue(host, "outqueue"), 1) == ["hello queue"]


def test_pipeline_queue_to_blob_to_queue(storage_app):
    host = storage_app
    orders = queue(host, "orders")
    orders.create_queue()
    for i in range(3):
        orders.send_message(json.dumps({"id": f"o{i}", "items": [{"price": 5, "quantity": i + 1}]}))
    done = wait_for_messages(queue(host, "done"), 3)
    assert sorted(done) == [f"receipts/o{i}.json: order o{i} total {5 * (i + 1)}" for i in range(3)]
    receipts = azure_blob.BlobServiceClient.from_connection_string(host.connection_string)
    names = sorted(b.name for b in receipts.get_container_client("receipts").list_blobs())
    assert names == ["o0.json", "o1.json", "o2.json"]
    # Each blob version triggers once: nothing more arrives for the same three receipts.
    assert len(wait_for_messages(queue(host, "done"), 4, timeout=1.0)) == 3


def _durable_app(root: Path, marker: Path) -> Path:
    files = {
        "host.json": {"version": "2.0", "extensions": {"queues": {"maxPollingInterval": "00:00:01"}}},
        "local.settings.json": {"IsEncrypted": False, "Values": {
            "FUNCTIONS_WORKER_RUNTIME": "python", "AzureWebJobsStorage": "UseDevelopmentStorage=true",
            "MARKER": str(marker)}},
        "work/function.json": {"bindings": [
            {"name": "msg", "type": "queueTrigger", "direction": "in", "queueName": "work",
             "connection": "AzureWebJobsStorage"},
            {"name": "$return", "type": "queue", "direction": "out", "queueName": "worked",
             "connection": "AzureWebJobsStorage"}]},
        "fragile/function.json": {"bindings": [
            {"name": "msg", "type": "queueTrigger", "direction": "in", "queueName": "fragile",
             "connection": "AzureWebJobsStorage"}]},
    }
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(content))
    (root / "work" / "__init__.py").write_text(textwrap.dedent("""
        import os, time
        import azure.functions as func

        def main(msg: func.QueueMessage) -> str:
            body = msg.get_body().decode()
            if body == "block" and msg.dequeue_count == 1:
                open(os.environ["MARKER"], "w").write(msg.id)
                print("blocking on message", msg.id, flush=True)
                time.sleep(600)
            return f"{body} (dequeue count {msg.dequeue_count})"
    """))
    (root / "fragile" / "__init__.py").write_text(textwrap.dedent("""
        import azure.functions as func

        def main(msg: func.QueueMessage) -> None:
            raise RuntimeError(f"cannot process {msg.get_body().decode()} (attempt {msg.dequeue_count})")
    """))
    return root


def test_nothing_accepted_is_lost_across_kill_9(tmp_path):
    app = _durable_app(tmp_path / "app", tmp_path / "marker")
    store = tmp_path / "store.sqlite"
    host = LiveHost(app, store)
    try:
        blobs = azure_blob.BlobServiceClient.from_connection_string(host.connection_string)
        blobs.create_container("kept")
        blobs.get_blob_client("kept", "b.bin").upload_blob(b"\x00\x01" * 50_000)
        parked = queue(host, "parked")  # no function listens: the messages just wait
        parked.create_queue()
        for i in range(20):
            parked.send_message(f"m{i}")
        work = queue(host, "work")
        work.create_queue()
        work.send_message("block")
        host.wait_for(r"blocking on message")
        host.kill()  # with the function running, its message leased, 20 messages and a blob acknowledged
    finally:
        host.stop()

    host = LiveHost(app, store)
    try:
        assert sorted(m.content for m in queue(host, "parked").peek_messages(max_messages=32)) == sorted(
            f"m{i}" for i in range(20))
        blobs = azure_blob.BlobServiceClient.from_connection_string(host.connection_string)
        assert blobs.get_blob_client("kept", "b.bin").download_blob().readall() == b"\x00\x01" * 50_000
        # The message leased by the dead host is released at start and runs again (at least once).
        host.wait_for(r"released 1 queue message")
        assert wait_for_messages(queue(host, "worked"), 1) == ["block (dequeue count 2)"]
    finally:
        host.stop()


def test_a_failing_message_goes_to_the_poison_queue_after_five_attempts(tmp_path):
    app = _durable_app(tmp_path / "app", tmp_path / "marker")
    host = LiveHost(app, tmp_path / "store.sqlite")
    try:
        fragile = queue(host, "fragile")
        fragile.create_queue()
        fragile.send_message("bad order")
        poisoned = wait_for_messages(queue(host, "fragile-poison"), 1)
        assert poisoned == ["bad order"]
        for attempt in range(1, 6):
            host.wait_for(rf"cannot process bad order \(attempt {attempt}\)")
        assert [m.content for m in fragile.peek_messages()] == []
        host.wait_for(r"moved to 'fragile-poison'")
    finally:
        host.stop()


def test_a_body_that_is_not_base64_is_poisoned_at_once(tmp_path):
    app = _durable_app(tmp_path / "app", tmp_path / "marker")
    host = LiveHost(app, tmp_path / "store.sqlite")
    try:
        raw = QueueClient.from_connection_string(host.connection_string, "fragile")  # the SDK's default: no encoding
        raw.create_queue()
        raw.send_message("plain text!")
        poisoned = QueueClient.from_connection_string(host.connection_string, "fragile-poison")
        assert wait_for_messages(poisoned, 1) == ["plain text!"]
        host.wait_for(r"not valid base64")
        assert not any("cannot process plain text" in line for line in host.lines)
    finally:
        host.stop()


def test_timer_runs_on_its_schedule(storage_app):
    host = storage_app
    host.wait_for(r"heartbeat: timerTrigger \(schedule '\*/5 \* \* \* \* \*', next run ")
    ticks = wait_for_messages(queue(host, "ticks"), 2, timeout=30)
    assert len(ticks) >= 2 and all("(past due: False)" in t for t in ticks)


def test_a_blob_whose_function_keeps_failing_is_poisoned_after_five_attempts(tmp_path):
    app = tmp_path / "app"
    for relative, content in {
        "host.json": {"version": "2.0"},
        "local.settings.json": {"IsEncrypted": False, "Values": {
            "FUNCTIONS_WORKER_RUNTIME": "python", "AzureWebJobsStorage": "UseDevelopmentStorage=true"}},
        "brittle/function.json": {"bindings": [
            {"name": "blob", "type": "blobTrigger", "direction": "in", "path": "inbox/{name}",
             "connection": "AzureWebJobsStorage"}]},
    }.items():
        path = app / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(content))
    (app / "brittle" / "__init__.py").write_text(
        "import azure.functions as func\n\n"
        "def main(blob: func.InputStream) -> None:\n"
        "    raise ValueError(f'cannot read {blob.name}')\n")
    host = LiveHost(app, tmp_path / "store.sqlite")
    try:
        blobs = azure_blob.BlobServiceClient.from_connection_string(host.connection_string)
        blobs.create_container("inbox")
        blobs.get_blob_client("inbox", "bad.csv").upload_blob(b"a,b")
        raw = QueueClient.from_connection_string(host.connection_string, "webjobs-blobtrigger-poison")
        poisoned = wait_for_messages(raw, 1)
        assert len(poisoned) == 1
        message = json.loads(poisoned[0])
        assert (message["FunctionId"], message["ContainerName"], message["BlobName"]) == (
            "Host.Functions.brittle", "inbox", "bad.csv")
        assert sum("executed 'brittle' (blob 'inbox/bad.csv'" in line and "failed" in line
                   for line in host.lines) == 5
    finally:
        host.stop()
