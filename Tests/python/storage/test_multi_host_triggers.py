"""Several hosts on one PostgreSQL store: a timer occurrence runs once across the hosts and keeps running
when the host holding its lock dies; a blob uploaded through one host triggers exactly once."""
from __future__ import annotations

import json
import textwrap
import time

import pytest

from live_host import LiveHost, host_binary
from pg_cluster import cluster, pg_bin  # noqa: F401 (cluster: a fixture)

pytest.importorskip("azure.storage.queue")
from azure.core.exceptions import ResourceExistsError  # noqa: E402
from azure.storage.blob import BlobServiceClient  # noqa: E402
from azure.storage.queue import QueueClient, TextBase64DecodePolicy  # noqa: E402

pytestmark = [
    pytest.mark.skipif(host_binary() is None, reason="functions-host is not built (swift build)"),
    pytest.mark.skipif(pg_bin() is None, reason="PostgreSQL is not installed (apt-get install postgresql)"),
]

SETTINGS = {"IsEncrypted": False, "Values": {
    "FUNCTIONS_WORKER_RUNTIME": "python", "AzureWebJobsStorage": "UseDevelopmentStorage=true"}}


def _write(root, files: dict):
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content if isinstance(content, str) else json.dumps(content))
    return root


def _timer_app(root):
    return _write(root, {
        "host.json": {"version": "2.0"},
        "local.settings.json": SETTINGS,
        "tick/function.json": {"bindings": [
            {"name": "timer", "type": "timerTrigger", "direction": "in", "schedule": "*/2 * * * * *"},
            {"name": "$return", "type": "queue", "direction": "out", "queueName": "ticks",
             "connection": "AzureWebJobsStorage"}]},
        "tick/__init__.py": textwrap.dedent("""
            import os, time

            def main(timer) -> str:
                # The occurrence this run belongs to: the schedule fires on even seconds.
                return f"{int(time.time()) // 2 * 2} {os.environ['HOST_TAG']}"
        """),
    })


def _blob_app(root):
    return _write(root, {
        "host.json": {"version": "2.0"},
        "local.settings.json": SETTINGS,
        "seen/function.json": {"bindings": [
            {"name": "blob", "type": "blobTrigger", "direction": "in", "path": "uploads/{name}",
             "connection": "AzureWebJobsStorage"},
            {"name": "$return", "type": "queue", "direction": "out", "queueName": "seen",
             "connection": "AzureWebJobsStorage"}]},
        "seen/__init__.py": textwrap.dedent("""
            import os

            def main(blob) -> str:
                return f"{blob.name.rsplit('/', 1)[-1]} {os.environ['HOST_TAG']}"
        """),
    })


class Collector:
    """Reads (and deletes) every message of a queue, keeping them in arrival order."""

    def __init__(self, connection_string: str, queue: str):
        self.client = QueueClient.from_connection_string(
            connection_string, queue, message_decode_policy=TextBase64DecodePolicy())
        self.messages: list[str] = []
        try:
            self.client.create_queue()
        except ResourceExistsError:  # an output binding created it first
            pass

    def until(self, done, what: str, timeout: float = 90.0):
        deadline = time.monotonic() + timeout
        while not done(self.messages):
            assert time.monotonic() < deadline, f"{what} not seen in {timeout:g} s; got {self.messages}"
            batch = list(self.client.receive_messages(messages_per_page=32, visibility_timeout=300))
            for m in batch:
                self.messages.append(m.content)
                self.client.delete_message(m)
            if not batch:
                time.sleep(0.2)  # the test's poll of the queue; the hosts themselves are event-driven


def _hosts(app, url, count=3):
    return [LiveHost(app, url, "--host-id", f"h{i}", env={"HOST_TAG": f"h{i}"}) for i in range(count)]


def test_a_timer_runs_once_per_occurrence_across_hosts_and_survives_the_lock_holder(tmp_path, cluster):
    url = cluster.create_database("timer_once")
    hosts = _hosts(_timer_app(tmp_path / "app"), url)
    try:
        ticks = Collector(hosts[0].connection_string, "ticks")

        def slots(messages):
            return [int(m.split()[0]) for m in messages]

        ticks.until(lambda ms: len(set(slots(ms))) >= 4, "four occurrences")
        holder = ticks.messages[-1].split()[1]
        hosts[int(holder[1:])].kill()
        survivor = hosts[(int(holder[1:]) + 1) % len(hosts)]
        ticks.client = Collector(survivor.connection_string, "ticks").client  # the killed host's endpoint is gone
        killed_at = len(ticks.messages)
        ticks.until(lambda ms: len({m.split()[1] for m in ms[killed_at:]} - {holder}) > 0
                    and len(ms) - killed_at >= 3, "three occurrences run by a surviving host")
        runs = slots(ticks.messages)
        duplicates = len(runs) - len(set(runs))
        print(f"{len(runs)} runs, {duplicates} duplicates, lock moved from {holder}: {ticks.messages}")
        assert duplicates == 0, f"an occurrence ran more than once: {ticks.messages}"
    finally:
        for h in hosts:
            h.stop()


def test_a_blob_uploaded_through_one_host_triggers_once_in_the_cluster(tmp_path, cluster):
    url = cluster.create_database("blob_once")
    hosts = _hosts(_blob_app(tmp_path / "app"), url)
    try:
        seen = Collector(hosts[0].connection_string, "seen")
        uploads = BlobServiceClient.from_connection_string(hosts[1].connection_string) \
            .get_container_client("uploads")
        try:
            uploads.create_container()
        except ResourceExistsError:  # the blob trigger's listener created it first
            pass
        names = [f"file-{i}.txt" for i in range(12)]
        for name in names:
            uploads.upload_blob(name, name.encode())
        seen.until(lambda ms: {m.split()[0] for m in ms} >= set(names), "every upload")
        # A last upload through another host: once it is seen, every host has scanned the earlier ones.
        BlobServiceClient.from_connection_string(hosts[2].connection_string) \
            .get_container_client("uploads").upload_blob("last.txt", b"last")
        seen.until(lambda ms: any(m.startswith("last.txt ") for m in ms), "the last upload")
        counts = {n: sum(m.split()[0] == n for m in seen.messages) for n in names + ["last.txt"]}
        by_host = {tag: sum(m.endswith(tag) for m in seen.messages) for tag in ("h0", "h1", "h2")}
        print(f"triggers per blob {counts}, by host {by_host}")
        assert all(c == 1 for c in counts.values()), f"a blob triggered more than once: {counts}"
    finally:
        for h in hosts:
            h.stop()
