"""Queue benchmark driver (see queue.sh): fills a queue through the host's Queue endpoint with the
official SDK, measures how fast the host drains it, and measures enqueue-to-invocation latency."""
from __future__ import annotations

import argparse
import base64
import json
import statistics
import sys
import threading
import time

from azure.storage.queue import QueueClient, TextBase64DecodePolicy, TextBase64EncodePolicy


def client(cs: str, name: str) -> QueueClient:
    return QueueClient.from_connection_string(
        cs, name, message_encode_policy=TextBase64EncodePolicy(), message_decode_policy=TextBase64DecodePolicy())


def ensure(q: QueueClient):
    try:
        q.create_queue()
    except Exception:
        pass


def prefill(cs: str, queue: str, count: int, threads: int) -> dict:
    ensure(client(cs, queue))
    per = [count // threads + (1 if i < count % threads else 0) for i in range(threads)]

    def run(n):
        q = client(cs, queue)
        for _ in range(n):
            q.send_message("x")

    started = time.monotonic()
    ts = [threading.Thread(target=run, args=(n,)) for n in per]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    elapsed = time.monotonic() - started
    return {"messages": count, "seconds": round(elapsed, 3), "puts_per_s": round(count / elapsed, 1)}


def _ready_time(log: str) -> float | None:
    """When the last worker became ready (the queue listeners start then), from the host's log."""
    import datetime
    import re
    times = []
    for line in open(log, errors="replace"):
        m = re.match(r"(\d\d):(\d\d):(\d\d)\.(\d{3}) .*worker \d+ is ready", line)
        if m:
            h, mi, s, ms = map(int, m.groups())
            today = datetime.datetime.now().replace(hour=h, minute=mi, second=s, microsecond=ms * 1000)
            times.append(today.timestamp())
    return max(times) if times else None


def drain(cs: str, queue: str, count: int, timeout: float, log: str) -> dict:
    """Waits until the queue is empty. The clock starts when the last worker became ready (from the
    host's log: the listeners start then) and stops at the first poll (every 20 ms) that sees it empty."""
    q = client(cs, queue)
    deadline = time.monotonic() + timeout
    left = None
    while time.monotonic() < deadline:
        left = q.get_queue_properties().approximate_message_count
        if left == 0:
            end = time.time()
            start = _ready_time(log)
            if start is None:
                return {"messages": count, "error": "no 'worker N is ready' line in the host log"}
            elapsed = end - start
            return {"messages": count, "seconds": round(elapsed, 3), "messages_per_s": round(count / elapsed, 1)}
        time.sleep(0.02)
    return {"messages": count, "error": f"not drained in {timeout} s", "left": left}


def probe(cs: str, samples: int, interval: float) -> dict:
    """Sends `samples` probe messages `interval` apart; each answer is its enqueue-to-invocation delay."""
    ensure(client(cs, "probe"))
    out = client(cs, "probe-out")
    ensure(out)
    q = client(cs, "probe")
    for _ in range(samples):
        q.send_message(repr(time.time()))
        time.sleep(interval)
    latencies: list[float] = []
    deadline = time.monotonic() + 60
    while len(latencies) < samples and time.monotonic() < deadline:
        got = out.receive_messages(messages_per_page=32, visibility_timeout=60)
        batch = list(got)
        if not batch:
            time.sleep(0.05)
        for m in batch:
            latencies.append(float(m.content))
            out.delete_message(m)
    latencies.sort()
    if not latencies:
        return {"samples": 0}
    return {"samples": len(latencies), "p50_ms": round(statistics.median(latencies), 2),
            "p90_ms": round(latencies[int(0.9 * (len(latencies) - 1))], 2),
            "p99_ms": round(latencies[int(0.99 * (len(latencies) - 1))], 2), "max_ms": round(latencies[-1], 2)}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("command", choices=["prefill", "drain", "probe"])
    p.add_argument("--connection-string", required=True)
    p.add_argument("--queue", default="bench-in")
    p.add_argument("--count", type=int, default=10000)
    p.add_argument("--threads", type=int, default=8)
    p.add_argument("--samples", type=int, default=100)
    p.add_argument("--interval", type=float, default=0.05)
    p.add_argument("--timeout", type=float, default=300)
    p.add_argument("--log", help="the host's log (drain)")
    a = p.parse_args()
    if a.command == "prefill":
        result = prefill(a.connection_string, a.queue, a.count, a.threads)
    elif a.command == "drain":
        result = drain(a.connection_string, a.queue, a.count, a.timeout, a.log)
    else:
        result = probe(a.connection_string, a.samples, a.interval)
    print(json.dumps(result))


if __name__ == "__main__":
    sys.exit(main())
