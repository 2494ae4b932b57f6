"""Several hosts on one PostgreSQL store: queue messages are shared and taken by one host at a time, and
when a host is killed -9 its messages come back to the others (at least once, nothing lost)."""
from __future__ import annotations

import json
import textwrap
import time

import pytest

from live_host import LiveHost, host_binary
from pg_cluster import cluster, pg_bin  # noqa: F401 (cluster: a fixture)

pytest.importorskip("azure.storage.queue")
from azure.storage.queue import QueueClient, TextBase64DecodePolicy, TextBase64EncodePolicy  # noqa: E402

pytestmark = [
    pytest.mark.skipif(host_binary() is None, reason="functions-host is not built (swift build)"),
    pytest.mark.skipif(pg_bin() is None, reason="PostgreSQL is not installed (apt-get install postgresql)"),
]


def _app(root):
    (root / "work").mkdir(parents=True)
    (root / "host.json").write_text(json.dumps(
        {"version": "2.0", "extensions": {"queues": {"batchSize": 8, "newBatchThreshold": 4}}}))
    (root / "local.settings.json").write_text(json.dumps({"IsEncrypted": False, "Values": {
        "FUNCTIONS_WORKER_RUNTIME": "python", "AzureWebJobsStorage": "UseDevelopmentStorage=true",
        # Slow enough that the kill below lands while the killed host holds leased messages.
        "PYTHON_THREADPOOL_THREAD_COUNT": "2"}}))
    (root / "work" / "function.json").write_text(json.dumps({"bindings": [
        {"name": "msg", "type": "queueTrigger", "direction": "in", "queueName": "work",
         "connection": "AzureWebJobsStorage"},
        {"name": "$return", "type": "queue", "direction": "out", "queueName": "done",
         "connection": "AzureWebJobsStorage"}]}))
    (root / "work" / "__init__.py").write_text(textwrap.dedent("""
        import os, time

        def main(msg: str) -> str:
            time.sleep(0.1)
            return f"{msg} {os.environ['HOST_TAG']}"
    """))
    return root


def _drain(client: QueueClient) -> list[str]:
    out = []
    while True:
        batch = list(client.receive_messages(messages_per_page=32, visibility_timeout=300))
        if not batch:
            return out
        for m in batch:
            out.append(m.content)
            client.delete_message(m)


def test_three_hosts_share_a_queue_and_survive_a_kill_9(tmp_path, cluster):
    url = cluster.create_database("three_hosts")
    app = _app(tmp_path / "app")
    hosts = [LiveHost(app, url, "--host-id", f"h{i}", env={"HOST_TAG": f"h{i}"}) for i in range(3)]
    try:
        work = QueueClient.from_connection_string(
            hosts[0].connection_string, "work", message_encode_policy=TextBase64EncodePolicy())
        work.create_queue()
        total = 600
        for i in range(total):
            work.send_message(f"m{i}")
        done = QueueClient.from_connection_string(
            hosts[1].connection_string, "done", message_decode_policy=TextBase64DecodePolicy())
        deadline = time.monotonic() + 120
        while done.get_queue_properties().approximate_message_count < total // 3:
            assert time.monotonic() < deadline, "a third of the messages were not processed in 120 s"
            time.sleep(0.05)
        hosts[2].kill()  # mid-way, with messages leased: they come back to the others when the lease expires
        deadline = time.monotonic() + 120
        results: list[str] = []
        seen: set[str] = set()
        while len(seen) < total:
            assert time.monotonic() < deadline, f"{total - len(seen)} messages never processed"
            batch = _drain(done)
            results += batch
            seen |= {r.split()[0] for r in batch}
            if len(seen) < total:
                time.sleep(0.2)
        duplicates = len(results) - len(seen)
        by_host = {tag: sum(r.endswith(tag) for r in results) for tag in ("h0", "h1", "h2")}
        print(f"processed {len(seen)} distinct messages, {duplicates} duplicates, by host {by_host}")
        assert seen == {f"m{i}" for i in range(total)}
        assert by_host["h0"] > 0 and by_host["h1"] > 0  # the survivors share the work
        assert duplicates <= 32  # only messages in flight on the killed host may run twice
    finally:
        for h in hosts:
            h.stop()
