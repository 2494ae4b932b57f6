"""Soak run (see soak.sh): a host under steady HTTP load with idle connections, slow clients, worker
crashes and stuck functions mixed in, for a given number of minutes. Samples the host's RSS and open
descriptors every few seconds and prints a JSON summary; the verdict says whether both stayed flat.

Usable on its own: python3 scripts/bench/_soak.py --binary .build/release/functions-host --minutes 60
"""
from __future__ import annotations

import argparse
import json
import os
import re
import signal
import socket
import subprocess
import tempfile
import textwrap
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

APP = {
    "host.json": json.dumps({"version": "2.0", "functionTimeout": "00:00:03"}),
    "local.settings.json": json.dumps({"IsEncrypted": False, "Values": {
        "FUNCTIONS_WORKER_RUNTIME": "python", "AzureWebJobsStorage": "UseDevelopmentStorage=true"}}),
    "function_app.py": textwrap.dedent("""
        import asyncio, os, time
        import azure.functions as func

        app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)

        @app.route(route="hello")
        def hello(req: func.HttpRequest) -> func.HttpResponse:
            return func.HttpResponse("hello " + req.params.get("name", "world"))

        @app.route(route="echo", methods=["POST"])
        def echo(req: func.HttpRequest) -> func.HttpResponse:
            return func.HttpResponse(req.get_body())

        @app.route(route="crash")
        def crash(req: func.HttpRequest) -> func.HttpResponse:
            os._exit(3)  # the worker dies mid-invocation

        @app.route(route="stuck-async")
        async def stuck_async(req: func.HttpRequest) -> func.HttpResponse:
            await asyncio.sleep(3600)  # cancelled at functionTimeout
            return func.HttpResponse("never")

        @app.route(route="stuck-sync")
        def stuck_sync(req: func.HttpRequest) -> func.HttpResponse:
            time.sleep(20)  # outlives functionTimeout on its thread
            return func.HttpResponse("late")
    """),
}


def sample(pid: int) -> tuple[int, int]:
    """(RSS in KiB, open descriptors) of a process."""
    rss = 0
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            rss = int(line.split()[1])
    return rss, len(os.listdir(f"/proc/{pid}/fd"))


def call(url: str, data: bytes | None = None, timeout: float = 30) -> int:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=timeout) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return -1


class Load:
    """The mixed load, each part in its own thread, until `stop` is set."""

    def __init__(self, base: str, port: int, stop: threading.Event):
        self.base, self.port, self.stop = base, port, stop
        self.counts: dict[str, dict[int, int]] = {}
        self.lock = threading.Lock()

    def count(self, kind: str, status: int) -> None:
        with self.lock:
            self.counts.setdefault(kind, {}).setdefault(status, 0)
            self.counts[kind][status] += 1

    def steady(self) -> None:
        n = 0
        while not self.stop.is_set():
            n += 1
            if n % 4:
                self.count("hello", call(f"{self.base}/api/hello?name=n{n}"))
            else:
                self.count("echo", call(f"{self.base}/api/echo", data=os.urandom(64 * 1024)))

    def every(self, seconds: float, kind: str, path: str) -> None:
        while not self.stop.wait(seconds):
            self.count(kind, call(f"{self.base}{path}", timeout=60))

    def idle_connections(self, count: int) -> None:
        """Opens `count` connections that never send anything; reopens them as the host closes them."""
        while not self.stop.is_set():
            held = []
            for _ in range(count):
                try:
                    held.append(socket.create_connection(("127.0.0.1", self.port), timeout=5))
                except OSError:
                    self.count("idle-refused", 0)
            self.count("idle-rounds", len(held))  # key: connections opened that round
            self.stop.wait(30)
            for s in held:
                s.close()

    def slow_clients(self, count: int) -> None:
        """Clients that send a request one byte every 0.5 s (slowloris)."""
        request = b"GET /api/hello?name=slow HTTP/1.1\r\nHost: h\r\nX-Padding: " + b"p" * 200 + b"\r\n\r\n"
        while not self.stop.is_set():
            sockets = []
            for _ in range(count):
                try:
                    sockets.append(socket.create_connection(("127.0.0.1", self.port), timeout=5))
                except OSError:
                    pass
            for i in range(len(request)):
                if self.stop.wait(0.5):
                    break
                for s in list(sockets):
                    try:
                        s.send(request[i:i + 1])
                    except OSError:
                        sockets.remove(s)
                        self.count("slow-closed-by-host", 0)
            for s in sockets:
                s.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--minutes", type=float, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--idle", type=int, default=200, help="idle connections held open")
    parser.add_argument("--slow", type=int, default=20, help="slow clients")
    parser.add_argument("--out", help="write the JSON summary here too")
    args = parser.parse_args()
    assert 0 < args.minutes <= 24 * 60, "--minutes must be in (0, 1440]"

    app = Path(tempfile.mkdtemp(prefix="fh-soak-"))
    for name, text in APP.items():
        (app / name).write_text(text)
    host = subprocess.Popen(
        [args.binary, "start", "--script-root", str(app), "--port", "0", "--workers", str(args.workers),
         "--no-auth", "--no-reload", "--blob-port", "0", "--queue-port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    lines: list[str] = []
    ready = threading.Event()
    base_holder: list[str] = []

    def read() -> None:
        for line in host.stdout:
            lines.append(line.rstrip("\n"))
            m = re.search(r"HTTP front door listening on (http://\S+)", line)
            if m:
                base_holder.append(m.group(1))
            if "Functions:" in line or "worker 1 is ready" in line:
                ready.set()
        ready.set()

    threading.Thread(target=read, daemon=True).start()
    ready.wait(180)
    deadline = time.monotonic() + 180
    while not base_holder and time.monotonic() < deadline:
        time.sleep(0.1)
    assert base_holder and host.poll() is None, "the host did not start:\n" + "\n".join(lines[-30:])
    base = base_holder[0]
    while call(f"{base}/api/hello") != 200:
        assert host.poll() is None and time.monotonic() < deadline, "\n".join(lines[-30:])
        time.sleep(0.2)
    port = int(base.rsplit(":", 1)[1])

    stop = threading.Event()
    load = Load(base, port, stop)
    threads = [threading.Thread(target=load.steady, daemon=True) for _ in range(4)]
    threads += [
        threading.Thread(target=load.every, args=(10, "crash", "/api/crash"), daemon=True),
        threading.Thread(target=load.every, args=(7, "stuck-async", "/api/stuck-async"), daemon=True),
        threading.Thread(target=load.every, args=(13, "stuck-sync", "/api/stuck-sync"), daemon=True),
        threading.Thread(target=load.idle_connections, args=(args.idle,), daemon=True),
        threading.Thread(target=load.slow_clients, args=(args.slow,), daemon=True),
    ]
    for t in threads:
        t.start()
    started = time.monotonic()
    end = started + args.minutes * 60
    samples = []
    while time.monotonic() < end and host.poll() is None:
        rss, fds = sample(host.pid)
        samples.append({"t": round(time.monotonic() - started, 1), "rss_kib": rss, "fds": fds})
        time.sleep(min(5.0, max(0.0, end - time.monotonic())))
    stop.set()
    alive = host.poll() is None
    final = sample(host.pid) if alive else (0, 0)
    still_serving = alive and call(f"{base}/api/hello") == 200
    host.send_signal(signal.SIGTERM)
    try:
        host.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(host.pid, signal.SIGKILL)
    # Flat: after the first fifth (warm-up: pools, caches, the idle connections opened), RSS grows by
    # less than 25% + 20 MiB and descriptors by less than 64 between the warm-up maximum and the end.
    warm = samples[: max(1, len(samples) // 5)]
    warm_rss = max(s["rss_kib"] for s in warm)
    warm_fds = max(s["fds"] for s in warm)
    late = samples[len(samples) * 4 // 5:] or samples
    end_rss = max(s["rss_kib"] for s in late)
    end_fds = max(s["fds"] for s in late)
    flat = end_rss <= warm_rss * 1.25 + 20 * 1024 and end_fds <= warm_fds + 64
    summary = {
        "minutes": args.minutes, "alive": alive, "still_serving": still_serving, "flat": flat,
        "rss_mib": {"warm": round(warm_rss / 1024, 1), "end": round(end_rss / 1024, 1),
                    "max": round(max(s["rss_kib"] for s in samples) / 1024, 1), "final": round(final[0] / 1024, 1)},
        "fds": {"warm": warm_fds, "end": end_fds, "max": max(s["fds"] for s in samples), "final": final[1]},
        "requests": load.counts,
        "fatal_in_log": any("Fatal error" in line for line in lines),
    }
    text = json.dumps(summary, indent=2, sort_keys=True)
    print(text)
    if args.out:
        Path(args.out).write_text(text)
    raise SystemExit(0 if alive and still_serving and flat and not summary["fatal_in_log"] else 1)


if __name__ == "__main__":
    main()
