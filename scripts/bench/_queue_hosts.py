"""Queue drain throughput with the embedded store and with 1, 2 and 3 hosts on one PostgreSQL (see
queue-hosts.sh). Prints one JSON line per configuration and a Markdown table at the end."""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "Tests" / "python" / "storage"))
sys.path.insert(0, str(HERE))
from pg_cluster import Cluster  # noqa: E402
from _queue_bench import _ready_time, client  # noqa: E402


def cpu_seconds(pid: int) -> float:
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_hosts(binary: str, app: Path, store: str, count: int, workers: int, run_dir: Path, tag: str):
    hosts = []
    for i in range(count):
        log = run_dir / f"{tag}-host{i}.log"
        process = subprocess.Popen(
            [binary, "start", "--script-root", str(app), "--port", "0", "--blob-port", "0", "--queue-port", "0",
             "--store", store, "--workers", str(workers), "--no-auth", "--no-reload", "--host-id", f"{tag}-h{i}"],
            stdout=open(log, "w"), stderr=subprocess.STDOUT, start_new_session=True)
        hosts.append((process, log))
    connection = None
    deadline = time.monotonic() + 120
    for process, log in hosts:
        while True:
            text = log.read_text(errors="replace")
            found = re.search(r"connection string: (\S+)", text)
            if found:
                connection = connection or found.group(1)
                break
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"a host did not start (log: {log}):\n{text[-2000:]}")
            time.sleep(0.05)
    return hosts, connection


def stop_hosts(hosts):
    for process, _ in hosts:
        process.terminate()
    for process, _ in hosts:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            process.wait()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--app", required=True)
    parser.add_argument("--messages", type=int, default=20000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--run-dir", required=True)
    parser.add_argument("--hosts", default="1,2,3")
    args = parser.parse_args()
    run_dir = Path(args.run_dir)
    app = Path(args.app)
    cluster = Cluster()
    rows = []
    try:
        configs = [("embedded", 1)] + [("postgres", int(n)) for n in args.hosts.split(",")]
        for index, (kind, count) in enumerate(configs):
            tag = f"{kind}{count}"
            store = str(run_dir / "store.sqlite") if kind == "embedded" else cluster.create_database(f"bench_{index}")
            fill = subprocess.run(
                [args.binary, "bench-queue-fill", "--store", store, "--queue", "bench-in", "--count", str(args.messages),
                 "--concurrency", "1" if kind == "embedded" else "8"], check=True, capture_output=True, text=True)
            hosts, connection = start_hosts(args.binary, app, store, count, args.workers, run_dir, tag)
            try:
                before = [cpu_seconds(p.pid) for p, _ in hosts]
                queue = client(connection, "bench-in")
                deadline = time.monotonic() + 600
                while queue.get_queue_properties().approximate_message_count > 0:
                    if time.monotonic() > deadline:
                        raise SystemExit(f"{tag}: not drained in 600 s")
                    time.sleep(0.02)
                end = time.time()
                after = [cpu_seconds(p.pid) for p, _ in hosts]
                # The clock starts when the first host is ready (its last worker), so start-up skew between
                # hosts counts against the several-host figures, never for them.
                starts = [t for t in (_ready_time(str(log)) for _, log in hosts) if t is not None]
                seconds = end - min(starts)
                row = {"store": kind, "hosts": count, "workers_per_host": args.workers, "messages": args.messages,
                       "seconds": round(seconds, 3), "messages_per_s": round(args.messages / seconds, 1),
                       "host_cpu_us_per_message": round(sum(a - b for a, b in zip(after, before)) * 1e6 / args.messages, 1),
                       "fill": json.loads(fill.stdout)}
                print(json.dumps(row), flush=True)
                rows.append(row)
            finally:
                stop_hosts(hosts)
    finally:
        cluster.stop()
    base = rows[0]["messages_per_s"]
    print(f"\n| store | hosts × workers | messages/s | vs embedded | host CPU µs/message (all hosts) |")
    print("|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['store']} | {r['hosts']} × {r['workers_per_host']} | {r['messages_per_s']} | "
              f"{r['messages_per_s'] / base:.2f} | {r['host_cpu_us_per_message']} |")


if __name__ == "__main__":
    main()
