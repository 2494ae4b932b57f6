#!/usr/bin/env python3
"""Helpers for scripts/bench/*.sh (standard library only; run with any python3 >= 3.9).

Subcommands:
  wait-ready     poll a URL until it answers 200 (bounded; fails early if a pid exits)
  parse-wrk      wrk --latency output -> one JSON line
  peers-report   table, ratios against the targets and a JSON file from parse-wrk lines
  coldstart      time `functions-host start` to the first 200, repeated
  load           a small HTTP/1.1 load client (threads + http.client, keep-alive): closed loop
                 (--connections) or open loop (--rate); optional heavy requests; optional chaos
                 (kill -9 of a worker of the host every N seconds, replacement time from the host log)
  balancer-report  compare two `load` results (least-outstanding vs round robin)
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from typing import Any, Optional

# --- small utilities --------------------------------------------------------------------------------


def pid_alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
        return state not in ("Z", "X")
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False


def children_of(pid: int) -> list[int]:
    kids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid and fields[0] not in ("Z", "X"):
                kids.append(int(entry))
        except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
            continue
    return kids


def descendants_of(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        for kid in children_of(todo.pop()):
            out.append(kid)
            todo.append(kid)
    return out


def rss_kib(pid: int) -> Optional[int]:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except FileNotFoundError:
        return None
    return None


def percentile(sorted_values: list[float], q: float) -> Optional[float]:
    """Nearest-rank percentile of an already sorted list (q in 0..100)."""
    if not sorted_values:
        return None
    rank = max(1, int(-(-q * len(sorted_values) // 100)))  # ceil(q/100 * n)
    return sorted_values[min(rank, len(sorted_values)) - 1]


def fmt(value: Optional[float], spec: str = ".2f", none: str = "-") -> str:
    return none if value is None else format(value, spec)


def http_get(host: str, port: int, path: str, timeout: float) -> int:
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def split_url(url: str) -> tuple[str, int, str]:
    parts = urllib.parse.urlsplit(url)
    if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        sys.exit(f"refusing a non-loopback URL: {url}")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return parts.hostname, parts.port or 80, path


# --- wait-ready -----------------------------------------------------------------------------------


def cmd_wait_ready(a: argparse.Namespace) -> int:
    host, port, path = split_url(a.url)
    deadline = time.monotonic() + a.timeout
    while time.monotonic() < deadline:
        if a.pid and not pid_alive(a.pid):
            print(f"process {a.pid} exited before {a.url} answered", file=sys.stderr)
            return 1
        try:
            if http_get(host, port, path, timeout=2.0) == 200:
                return 0
        except OSError:
            pass
        time.sleep(a.interval)
    print(f"{a.url} did not answer 200 within {a.timeout:g} s", file=sys.stderr)
    return 1


# --- wrk output -----------------------------------------------------------------------------------

_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0, "h": 3600000.0}


def _ms(text: str) -> Optional[float]:
    m = re.fullmatch(r"([0-9.]+)(us|ms|s|m|h)", text.strip())
    return float(m.group(1)) * _UNITS_MS[m.group(2)] if m else None


def parse_wrk(text: str) -> dict[str, Any]:
    out: dict[str, Any] = {"rps": None, "p50_ms": None, "p75_ms": None, "p90_ms": None, "p99_ms": None,
                           "requests": None, "seconds": None, "errors": 0, "non2xx": 0,
                           "socket_errors": {}}
    m = re.search(r"Requests/sec:\s+([0-9.]+)", text)
    if m:
        out["rps"] = float(m.group(1))
    for q in ("50", "75", "90", "99"):
        m = re.search(rf"^\s+{q}%\s+(\S+)", text, re.M)
        if m:
            out[f"p{q}_ms"] = _ms(m.group(1))
    m = re.search(r"(\d+) requests in ([0-9.]+)(us|ms|s|m|h)", text)
    if m:
        out["requests"] = int(m.group(1))
        out["seconds"] = float(m.group(2)) * _UNITS_MS[m.group(3)] / 1000.0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    if m:
        out["socket_errors"] = dict(zip(("connect", "read", "write", "timeout"), map(int, m.groups())))
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    if m:
        out["non2xx"] = int(m.group(1))
    out["errors"] = out["non2xx"] + sum(out["socket_errors"].values())
    return out


def cmd_parse_wrk(a: argparse.Namespace) -> int:
    with open(a.file) as f:
        record = parse_wrk(f.read())
    record.update(config=a.config, kind=a.kind, workers=a.workers, transport=a.transport or None,
                  variant=a.variant or None, round=a.round, connections=a.connections, threads=a.threads,
                  duration_s=a.duration)
    # The server process's own CPU (utime+stime) per request; meaningful for ours (the host alone,
    # workers excluded).
    record["host_cpu_us"] = (a.cpu_ticks / os.sysconf("SC_CLK_TCK") * 1e6 / record["requests"]
                             if a.kind == "ours" and a.cpu_ticks > 0 and record.get("requests") else None)
    print(json.dumps(record))
    if record["rps"] is not None:
        print(f"    c{a.connections:<3} {record['rps']:>10.0f} req/s  p50 {fmt(record['p50_ms'], '.3f')} ms  "
              f"p99 {fmt(record['p99_ms'], '.3f')} ms  errors {record['errors']}", file=sys.stderr)
    return 0 if record["rps"] is not None else 1


# --- peers report ---------------------------------------------------------------------------------

KIND_LABEL = {
    "ours": "functions-host",
    "ff-default": "functions-framework default (gunicorn gthread)",
    "ff-asgi": "functions-framework --asgi (gunicorn+uvicorn)",
    "uvicorn": "uvicorn+uvloop+httptools, bare ASGI",
}

# (peer kind, workers, minimum ratio ours/peer in req/s at 64 connections) — issue 11's targets
RATIO_TARGETS = [("ff-default", 2, 3.0), ("ff-asgi", 2, 1.4), ("uvicorn", 2, 0.6)]
P50_TARGET_MS = 0.3
HOST_CPU_TARGET_US = 20.0


def _median(values: list[float]) -> Optional[float]:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def cmd_peers_report(a: argparse.Namespace) -> int:
    records = []
    with open(a.results) as f:
        for line in f:
            line = line.strip()
            if line:
                records.append(json.loads(line))
    meta = json.loads(a.meta) if a.meta else {}
    configs: dict[str, dict[str, Any]] = {}
    for r in records:
        c = configs.setdefault(r["config"], {"config": r["config"], "kind": r["kind"], "workers": r["workers"],
                                             "transport": r.get("transport"), "variant": r.get("variant"),
                                             "runs": {}})
        c["runs"].setdefault(str(r["connections"]), []).append(r)
    conns = sorted({str(r["connections"]) for r in records}, key=int, reverse=True)

    summary = []
    for c in configs.values():
        row: dict[str, Any] = {k: c[k] for k in ("config", "kind", "workers", "transport", "variant")}
        for n in conns:
            runs = c["runs"].get(n, [])
            row[f"c{n}"] = {
                "rps": _median([r["rps"] for r in runs]),
                "p50_ms": _median([r["p50_ms"] for r in runs]),
                "p99_ms": _median([r["p99_ms"] for r in runs]),
                "errors": sum(r["errors"] for r in runs),
                "rounds": len(runs),
                "host_cpu_us": _median([r.get("host_cpu_us") for r in runs]),
            }
        summary.append(row)
    order = {"ours": 0, "ff-default": 1, "ff-asgi": 2, "uvicorn": 3}
    summary.sort(key=lambda r: (order.get(r["kind"], 9), r["transport"] or "", r["variant"] or "", r["workers"]))

    # table
    head = f"{'server':<52} {'wk':>2}"
    for n in conns:
        head += f" | {'c' + n + ' req/s':>11} {'p50 ms':>7} {'p99 ms':>7}"
    head += f" | {'host us/req':>11} | errors"
    print()
    print(head)
    print("-" * len(head))
    for row in summary:
        label = KIND_LABEL.get(row["kind"], row["kind"])
        if row["transport"]:
            label += f" [{row['transport']}]"
        if row.get("variant"):
            label += f" {row['variant']}"
        line = f"{label:<52} {row['workers']:>2}"
        errors = 0
        for n in conns:
            s = row.get(f"c{n}", {})
            line += f" | {fmt(s.get('rps'), '.0f'):>11} {fmt(s.get('p50_ms'), '.3f'):>7} {fmt(s.get('p99_ms'), '.3f'):>7}"
            errors += s.get("errors", 0)
        cpu = row.get(f"c{conns[0]}", {}).get("host_cpu_us") if conns else None
        line += f" | {fmt(cpu, '.1f'):>11} | {errors}"
        print(line)

    # ratios: per round (same round = same machine state), then the median over rounds
    by_key: dict[tuple, dict[int, dict]] = {}
    for r in records:
        key = (r["kind"], r["workers"], r.get("transport"), r.get("variant"), str(r["connections"]))
        by_key.setdefault(key, {})[r["round"]] = r
    top = conns[0] if conns else None
    low = conns[-1] if conns else None
    ours_setups = sorted({(r.get("transport") or "", r.get("variant") or "") for r in records if r["kind"] == "ours"})
    checks = []
    for t, v in ours_setups:
        name = f"ours-2{'[' + t + ']' if t else ''}{'-' + v if v else ''}"
        ours = by_key.get(("ours", 2, t or None, v or None, top), {})
        for kind, workers, target in RATIO_TARGETS:
            peer = by_key.get((kind, workers, None, None, top), {})
            ratios = [ours[k]["rps"] / peer[k]["rps"] for k in sorted(ours.keys() & peer.keys())
                      if ours[k]["rps"] and peer[k]["rps"]]
            value = _median(ratios)
            checks.append({"check": f"req/s {name} / {kind}-{workers} @ c{top}",
                           "per_round": ratios, "value": value, "target": f">= {target:g}x",
                           "met": None if value is None else value >= target})
        cpu = [r.get("host_cpu_us") for r in ours.values()]
        cpu_value = _median(cpu)
        checks.append({"check": f"host CPU us/request {name} @ c{top}", "per_round": [c for c in cpu if c],
                       "value": cpu_value, "target": f"<= {HOST_CPU_TARGET_US:g}",
                       "met": None if cpu_value is None else cpu_value <= HOST_CPU_TARGET_US})
        ours_low = by_key.get(("ours", 2, t or None, v or None, low), {})
        p50 = _median([r["p50_ms"] for r in ours_low.values()])
        checks.append({"check": f"p50 {name} @ c{low} (ms)",
                       "per_round": [r["p50_ms"] for r in ours_low.values()], "value": p50,
                       "target": f"<= {P50_TARGET_MS:g} ms", "met": None if p50 is None else p50 <= P50_TARGET_MS})
    if checks:
        print()
        print(f"{'check':<60} {'per round':<22} {'value':>8} {'target':>10}  met")
        for ch in checks:
            rounds = ", ".join(fmt(v, ".2f") for v in ch["per_round"])
            met = "-" if ch["met"] is None else ("yes" if ch["met"] else "NO")
            print(f"{ch['check']:<60} {rounds:<22} {fmt(ch['value'], '.2f'):>8} {ch['target']:>10}  {met}")
    if a.out:
        with open(a.out, "w") as f:
            json.dump({"meta": meta, "summary": summary, "checks": checks, "runs": records}, f, indent=2)
        print(f"\nresults: {a.out}")
    return 0


# --- cold start -----------------------------------------------------------------------------------


def _stop_group(proc: subprocess.Popen, grace: float = 15.0) -> None:
    kids = descendants_of(proc.pid)
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(pid_alive(k) for k in kids):
        time.sleep(0.05)
    for k in kids:
        if pid_alive(k):
            os.kill(k, signal.SIGKILL)


def cmd_coldstart(a: argparse.Namespace) -> int:
    samples = []
    for i in range(a.repeat):
        port = a.port
        log_path = os.path.join(a.logdir, f"coldstart-{i + 1}.log")
        url_path = a.path
        cmd = [a.bin, "start", "--script-root", a.app, "--port", str(port), "--workers", str(a.workers)]
        cmd += a.extra or []
        with open(log_path, "w") as log:
            t0 = time.perf_counter()
            proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                    start_new_session=True)
        t_listen = t_ok = None
        status = None
        try:
            deadline = t0 + a.timeout
            while time.perf_counter() < deadline:
                if proc.poll() is not None:
                    break
                try:
                    status = http_get("127.0.0.1", port, url_path, timeout=a.timeout)
                    if t_listen is None:
                        t_listen = time.perf_counter()
                    if status == 200:
                        t_ok = time.perf_counter()
                        break
                except OSError:
                    pass
                time.sleep(a.interval)
        finally:
            _stop_group(proc)
        if t_ok is None:
            print(f"run {i + 1}: no 200 within {a.timeout:g} s (last status {status}); log: {log_path}",
                  file=sys.stderr)
            return 1
        sample = {"first_200_s": t_ok - t0, "first_http_answer_s": (t_listen - t0) if t_listen else None}
        samples.append(sample)
        print(f"run {i + 1}: first 200 after {sample['first_200_s'] * 1000:.0f} ms "
              f"(first HTTP answer of any status after {fmt(sample['first_http_answer_s'] and sample['first_http_answer_s'] * 1000, '.0f')} ms)")
        time.sleep(a.pause)
    values = sorted(s["first_200_s"] for s in samples)
    result = {"workers": a.workers, "repeat": a.repeat, "samples": samples,
              "min_s": values[0], "median_s": statistics.median(values), "max_s": values[-1],
              "target_s": 1.5, "met": statistics.median(values) <= 1.5}
    print(f"\ncold start to first 200 ({a.workers} worker(s), {a.repeat} runs): "
          f"min {result['min_s'] * 1000:.0f} ms, median {result['median_s'] * 1000:.0f} ms, "
          f"max {result['max_s'] * 1000:.0f} ms (target <= 1500 ms: {'met' if result['met'] else 'NOT met'})")
    if a.out:
        with open(a.out, "w") as f:
            json.dump(result, f, indent=2)
        print(f"results: {a.out}")
    return 0


# --- load client ----------------------------------------------------------------------------------

READY_RE = re.compile(r"^(\d\d):(\d\d):(\d\d)\.(\d{3}) .*?\bworker (\d+) is ready\b(?:.*?\bpid=(\d+))?")


def parse_ready_lines(path: str) -> list[tuple[float, int, Optional[int]]]:
    """(seconds since local midnight, slot, pid) of every 'worker N is ready' line of the host log."""
    events = []
    try:
        with open(path, errors="replace") as f:
            for line in f:
                m = READY_RE.search(line)
                if m:
                    h, mi, s, ms, slot, pid = m.groups()
                    events.append((int(h) * 3600 + int(mi) * 60 + int(s) + int(ms) / 1000.0, int(slot),
                                   int(pid) if pid else None))
    except FileNotFoundError:
        pass
    return events


def local_seconds(epoch: float) -> float:
    lt = time.localtime(epoch)
    return lt.tm_hour * 3600 + lt.tm_min * 60 + lt.tm_sec + (epoch % 1.0)


class Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.samples: list[tuple[float, float, bool, str]] = []  # (start offset s, latency s, heavy, outcome)
        self.in_flight: dict[int, tuple[float, bool]] = {}

    def add(self, start: float, latency: float, heavy: bool, outcome: str) -> None:
        with self.lock:
            self.samples.append((start, latency, heavy, outcome))


def _one_request(state: dict, host: str, port: int, path: str, timeout: float) -> str:
    conn = state.get("conn")
    if conn is None:
        conn = http.client.HTTPConnection(host, port, timeout=timeout)
        state["conn"] = conn
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        if response.will_close:
            conn.close()
            state["conn"] = None
        return "ok" if 200 <= response.status < 300 else f"http {response.status}"
    except TimeoutError:
        conn.close()
        state["conn"] = None
        return "timeout"
    except (OSError, http.client.HTTPException) as exc:
        conn.close()
        state["conn"] = None
        return f"error {type(exc).__name__}"


def _chaos(host_pid: int, log_path: str, interval: float, t0: float, stop_at: float, kills: list,
           stop: threading.Event, seed: int) -> None:
    rng = random.Random(seed)
    k = 1
    while not stop.is_set():
        due = t0 + k * interval
        if due >= stop_at:
            return
        if stop.wait(max(0.0, due - time.monotonic())):
            return
        ready = {pid: slot for _, slot, pid in parse_ready_lines(log_path) if pid}
        alive = set(children_of(host_pid))
        killed = {x["pid"] for x in kills}
        candidates = [p for p in alive if p in ready and p not in killed]
        if not candidates and not ready:  # no pids in the log: any child of the host
            candidates = [p for p in alive if p not in killed]
        if not candidates:
            kills.append({"at_s": time.monotonic() - t0, "epoch": time.time(), "pid": None, "slot": None,
                          "note": "no ready worker to kill"})
        else:
            pid = rng.choice(sorted(candidates))
            epoch = time.time()
            try:
                os.kill(pid, signal.SIGKILL)
                kills.append({"at_s": time.monotonic() - t0, "epoch": epoch, "pid": pid, "slot": ready.get(pid)})
            except ProcessLookupError:
                pass
        k += 1


def _replacements(kills: list, log_path: str) -> None:
    events = parse_ready_lines(log_path)
    used: set[int] = set()
    for kill in kills:
        if kill.get("pid") is None:
            continue
        t_kill = local_seconds(kill["epoch"])
        for index, (t, slot, pid) in enumerate(events):
            if index in used or pid == kill["pid"]:
                continue
            if kill["slot"] is not None and slot != kill["slot"]:
                continue
            delta = t - t_kill
            if delta < -43200:
                delta += 86400  # midnight
            if delta >= -0.001:  # the log has millisecond timestamps
                used.add(index)
                kill["replaced_by_pid"] = pid
                kill["replacement_s"] = max(0.0, delta)
                break


def summarize(samples: list, duration: float, hung_after: float, in_flight_at_end: int) -> dict[str, Any]:
    def block(rows: list) -> dict[str, Any]:
        lat = sorted(r[1] * 1000.0 for r in rows)
        ok = [r for r in rows if r[3] == "ok"]
        ok_lat = sorted(r[1] * 1000.0 for r in ok)
        outcomes: dict[str, int] = {}
        for r in rows:
            outcomes[r[3]] = outcomes.get(r[3], 0) + 1
        return {
            "requests": len(rows), "succeeded": len(ok), "failed": len(rows) - len(ok),
            "succeeded_pct": (100.0 * len(ok) / len(rows)) if rows else None,
            "hung": sum(1 for r in rows if r[1] > hung_after or r[3] == "timeout"),
            "throughput_ok_per_s": len(ok) / duration if duration > 0 else None,
            "p50_ms": percentile(lat, 50), "p90_ms": percentile(lat, 90), "p99_ms": percentile(lat, 99),
            "max_ms": lat[-1] if lat else None,
            "ok_p50_ms": percentile(ok_lat, 50), "ok_p99_ms": percentile(ok_lat, 99),
            "outcomes": outcomes,
        }
    result = {"all": block(samples), "light": block([r for r in samples if not r[2]]),
              "heavy": block([r for r in samples if r[2]])}
    result["all"]["hung"] += in_flight_at_end
    result["still_in_flight_at_end"] = in_flight_at_end
    return result


def cmd_load(a: argparse.Namespace) -> int:
    host, port, path = split_url(a.url)
    heavy_path = path + ("&" if "?" in path else "?") + a.heavy_query
    timeout = a.timeout or (a.hung_after + 5.0)
    rec = Recorder()
    stop = threading.Event()
    t0 = time.monotonic()
    deadline = t0 + a.duration
    open_loop = a.rate is not None and a.rate > 0
    threads_n = a.threads if open_loop else a.connections
    next_slot = [0]
    slot_lock = threading.Lock()
    rng_plan = random.Random(a.seed)
    # open loop: a fixed plan of which request numbers are heavy (seeded, not periodic)
    plan_len = int(a.rate * a.duration) + 1 if open_loop else 0
    plan = [rng_plan.random() < a.heavy_fraction for _ in range(plan_len)]

    def run_thread(index: int) -> None:
        state: dict = {}
        rng = random.Random(a.seed * 1000 + index)
        ident = threading.get_ident()
        while not stop.is_set():
            if open_loop:
                with slot_lock:
                    slot = next_slot[0]
                    next_slot[0] += 1
                scheduled = t0 + slot / a.rate
                if scheduled >= deadline:
                    break
                delay = scheduled - time.monotonic()
                if delay > 0 and stop.wait(delay):
                    break
                heavy = plan[slot] if slot < len(plan) else False
                start = scheduled  # latency from the scheduled time: no coordinated omission
            else:
                start = time.monotonic()
                if start >= deadline:
                    break
                heavy = rng.random() < a.heavy_fraction
            with rec.lock:
                rec.in_flight[ident] = (start, heavy)
            outcome = _one_request(state, host, port, heavy_path if heavy else path, timeout)
            end = time.monotonic()
            with rec.lock:
                rec.in_flight.pop(ident, None)
            rec.add(start - t0, end - start, heavy, outcome)
        if state.get("conn") is not None:
            state["conn"].close()

    kills: list = []
    chaos_thread = None
    if a.chaos_host_pid:
        chaos_thread = threading.Thread(
            target=_chaos, args=(a.chaos_host_pid, a.chaos_log, a.chaos_interval, t0, deadline, kills, stop, a.seed),
            daemon=True)
    workers = [threading.Thread(target=run_thread, args=(i,), daemon=True) for i in range(threads_n)]
    for w in workers:
        w.start()
    if chaos_thread:
        chaos_thread.start()
    # bounded: every thread gets until the deadline plus one request timeout
    join_deadline = deadline + timeout + 2.0
    for w in workers:
        w.join(max(0.0, join_deadline - time.monotonic()))
    stop.set()
    if chaos_thread:
        chaos_thread.join(5)
    with rec.lock:
        in_flight_at_end = len(rec.in_flight)
        samples = list(rec.samples)
    result: dict[str, Any] = {
        "url": a.url, "mode": "open loop" if open_loop else "closed loop",
        "rate_per_s": a.rate if open_loop else None, "connections": None if open_loop else a.connections,
        "client_threads": threads_n, "duration_s": a.duration, "heavy_fraction": a.heavy_fraction,
        "heavy_query": a.heavy_query, "hung_after_s": a.hung_after, "label": a.label,
    }
    result.update(summarize(samples, a.duration, a.hung_after, in_flight_at_end))
    if a.chaos_host_pid:
        # wait (bounded) for the last kills to be replaced, then match kills to 'worker N is ready' lines
        wait_until = time.monotonic() + a.replacement_wait
        while time.monotonic() < wait_until:
            _replacements(kills, a.chaos_log)
            if all("replacement_s" in k for k in kills if k.get("pid")):
                break
            time.sleep(0.2)
        _replacements(kills, a.chaos_log)
        times = sorted(k["replacement_s"] for k in kills if "replacement_s" in k)
        done = [k for k in kills if k.get("pid")]
        result["chaos"] = {
            "interval_s": a.chaos_interval, "kills": kills, "killed": len(done),
            "replaced": len(times), "not_replaced": len(done) - len(times),
            "replacement_median_s": statistics.median(times) if times else None,
            "replacement_max_s": times[-1] if times else None,
        }
    print_load(result)
    if a.out:
        with open(a.out, "w") as f:
            json.dump(result, f, indent=2)
    return 0


def print_load(r: dict) -> None:
    label = f"[{r['label']}] " if r.get("label") else ""
    mode = f"open loop {r['rate_per_s']:g}/s" if r["mode"] == "open loop" else f"{r['connections']} connections"
    print(f"{label}{r['url']} — {mode}, {r['duration_s']:g} s, heavy {r['heavy_fraction'] * 100:g}%")
    print(f"  {'':<6} {'requests':>8} {'ok':>8} {'failed':>6} {'hung':>4} {'ok/s':>8} {'p50 ms':>8} {'p90 ms':>8} "
          f"{'p99 ms':>8} {'max ms':>8}")
    for key in ("all", "light", "heavy"):
        b = r[key]
        if not b["requests"]:
            continue
        print(f"  {key:<6} {b['requests']:>8} {b['succeeded']:>8} {b['failed']:>6} {b['hung']:>4} "
              f"{fmt(b['throughput_ok_per_s'], '.1f'):>8} {fmt(b['p50_ms'], '.2f'):>8} {fmt(b['p90_ms'], '.2f'):>8} "
              f"{fmt(b['p99_ms'], '.2f'):>8} {fmt(b['max_ms'], '.2f'):>8}")
    failures = {k: v for k, v in r["all"]["outcomes"].items() if k != "ok"}
    if failures:
        print("  failures: " + ", ".join(f"{k}: {v}" for k, v in sorted(failures.items())))
    if r.get("still_in_flight_at_end"):
        print(f"  still in flight when the client gave up: {r['still_in_flight_at_end']} (counted as hung)")
    chaos = r.get("chaos")
    if chaos:
        times = ", ".join(fmt(k.get("replacement_s"), ".2f", "never") for k in chaos["kills"] if k.get("pid"))
        print(f"  chaos: {chaos['killed']} kill -9 every {chaos['interval_s']:g} s; replaced {chaos['replaced']}; "
              f"replacement s: {times}")
        print(f"         replacement median {fmt(chaos['replacement_median_s'], '.3f')} s, "
              f"max {fmt(chaos['replacement_max_s'], '.3f')} s")


# --- balancer report ------------------------------------------------------------------------------


def cmd_balancer_report(a: argparse.Namespace) -> int:
    out: dict[str, Any] = {}
    skewed = {}
    for spec in a.skewed:
        name, path = spec.split("=", 1)
        with open(path) as f:
            skewed.setdefault(name, []).append(json.load(f))
    if skewed:
        first = next(iter(skewed.values()))[0]
        load = (f"open loop {first['rate_per_s']:g}/s" if first["mode"] == "open loop"
                else f"closed loop, {first['connections']} connections")
        print(f"\n(a) skewed load, 4 workers: {load}, {first['duration_s']:g} s, "
              f"{first['heavy_fraction'] * 100:g}% heavy ({first['heavy_query']})")
        out["skewed_setup"] = {k: first[k] for k in ("mode", "rate_per_s", "connections", "duration_s",
                                                     "heavy_fraction", "heavy_query")}
        print(f"  {'strategy':<18} {'ok/s':>8} {'p50 ms':>8} {'p99 ms':>9} {'light p50':>10} {'light p99':>10} "
              f"{'heavy p50':>10} {'heavy p99':>10} {'failed':>6}")
        rows = {}
        for name, runs in skewed.items():
            med = lambda key, part="all": _median([r[part][key] for r in runs])  # noqa: E731
            row = {"runs": len(runs), "throughput_ok_per_s": med("throughput_ok_per_s"),
                   "p50_ms": med("p50_ms"), "p99_ms": med("p99_ms"),
                   "light_p50_ms": med("p50_ms", "light"), "light_p99_ms": med("p99_ms", "light"),
                   "heavy_p50_ms": med("p50_ms", "heavy"), "heavy_p99_ms": med("p99_ms", "heavy"),
                   "failed": sum(r["all"]["failed"] for r in runs)}
            rows[name] = row
            print(f"  {name:<18} {fmt(row['throughput_ok_per_s'], '.1f'):>8} {fmt(row['p50_ms'], '.1f'):>8} "
                  f"{fmt(row['p99_ms'], '.1f'):>9} {fmt(row['light_p50_ms'], '.1f'):>10} "
                  f"{fmt(row['light_p99_ms'], '.1f'):>10} {fmt(row['heavy_p50_ms'], '.1f'):>10} "
                  f"{fmt(row['heavy_p99_ms'], '.1f'):>10} {row['failed']:>6}")
        lor, rr = rows.get("leastOutstanding"), rows.get("roundRobin")
        if lor and rr and lor["p99_ms"] and rr["p99_ms"]:
            ratio = lor["p99_ms"] / rr["p99_ms"]
            light = (lor["light_p99_ms"] / rr["light_p99_ms"]) if lor["light_p99_ms"] and rr["light_p99_ms"] else None
            tput = (lor["throughput_ok_per_s"] / rr["throughput_ok_per_s"]) if rr["throughput_ok_per_s"] else None
            print(f"  p99 leastOutstanding / roundRobin: {ratio:.2f} (target <= 0.5: {'met' if ratio <= 0.5 else 'NOT met'}); "
                  f"light calls only: {fmt(light, '.2f')}; throughput ratio {fmt(tput, '.2f')}")
            rows["ratio_p99"] = ratio
            rows["ratio_light_p99"] = light
            rows["ratio_throughput"] = tput
            rows["met"] = ratio <= 0.5
        out["skewed"] = rows
    if a.chaos:
        with open(a.chaos) as f:
            c = json.load(f)
        ch = c.get("chaos", {})
        b = c["all"]
        met_hung = b["hung"] == 0
        met_ok = (b["succeeded_pct"] or 0) >= 99.0
        met_rep = ch.get("replacement_max_s") is not None and ch["replacement_max_s"] < 2.0 and ch.get("not_replaced") == 0
        print(f"\n(b) chaos, 4 workers, kill -9 every {ch.get('interval_s', 0):g} s for {c['duration_s']:g} s")
        print(f"  requests {b['requests']}, succeeded {b['succeeded']} ({fmt(b['succeeded_pct'], '.3f')}%), "
              f"failed {b['failed']}, hung {b['hung']}")
        print(f"  kills {ch.get('killed')}, replaced {ch.get('replaced')}, replacement median "
              f"{fmt(ch.get('replacement_median_s'), '.3f')} s, max {fmt(ch.get('replacement_max_s'), '.3f')} s")
        print(f"  targets: 0 hung {'met' if met_hung else 'NOT met'}; >= 99% succeeded {'met' if met_ok else 'NOT met'}; "
              f"replacement < 2 s {'met' if met_rep else 'NOT met'}")
        out["chaos"] = {"requests": b["requests"], "succeeded": b["succeeded"], "succeeded_pct": b["succeeded_pct"],
                        "failed": b["failed"], "hung": b["hung"], "outcomes": b["outcomes"],
                        "kills": ch.get("killed"), "replaced": ch.get("replaced"),
                        "replacement_median_s": ch.get("replacement_median_s"),
                        "replacement_max_s": ch.get("replacement_max_s"),
                        "met": {"no_hung": met_hung, "succeeded_99": met_ok, "replacement_under_2s": met_rep}}
    if a.out:
        with open(a.out, "w") as f:
            json.dump(out, f, indent=2)
        print(f"\nresults: {a.out}")
    return 0


# --- main -----------------------------------------------------------------------------------------


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)

    s = sub.add_parser("wait-ready")
    s.add_argument("--url", required=True)
    s.add_argument("--pid", type=int, default=0)
    s.add_argument("--timeout", type=float, default=60)
    s.add_argument("--interval", type=float, default=0.05)
    s.set_defaults(func=cmd_wait_ready)

    s = sub.add_parser("parse-wrk")
    s.add_argument("file")
    for name in ("config", "kind", "transport", "variant"):
        s.add_argument(f"--{name}", default="")
    for name in ("workers", "round", "connections", "threads", "cpu-ticks"):
        s.add_argument(f"--{name}", type=int, default=0)
    s.add_argument("--duration", type=float, default=0)
    s.set_defaults(func=cmd_parse_wrk)

    s = sub.add_parser("peers-report")
    s.add_argument("results")
    s.add_argument("--meta", default="")
    s.add_argument("--out", default="")
    s.set_defaults(func=cmd_peers_report)

    s = sub.add_parser("coldstart")
    s.add_argument("--bin", required=True)
    s.add_argument("--app", required=True)
    s.add_argument("--port", type=int, required=True)
    s.add_argument("--path", default="/api/hello?name=bench")
    s.add_argument("--workers", type=int, default=1)
    s.add_argument("--repeat", type=int, default=5)
    s.add_argument("--timeout", type=float, default=60)
    s.add_argument("--interval", type=float, default=0.002)
    s.add_argument("--pause", type=float, default=1.0)
    s.add_argument("--logdir", default=".")
    s.add_argument("--out", default="")
    s.add_argument("extra", nargs="*", help="more arguments for `functions-host start` (after --)")
    s.set_defaults(func=cmd_coldstart)

    s = sub.add_parser("load")
    s.add_argument("--url", required=True)
    s.add_argument("--duration", type=float, default=10)
    s.add_argument("--connections", type=int, default=16, help="closed loop: concurrent keep-alive connections")
    s.add_argument("--rate", type=float, default=None, help="open loop: requests per second (overrides --connections)")
    s.add_argument("--threads", type=int, default=64, help="open loop: client threads (connections)")
    s.add_argument("--heavy-fraction", type=float, default=0.0)
    s.add_argument("--heavy-query", default="heavy=1")
    s.add_argument("--hung-after", type=float, default=10.0)
    s.add_argument("--timeout", type=float, default=0.0, help="socket timeout (default: hung-after + 5 s)")
    s.add_argument("--seed", type=int, default=1)
    s.add_argument("--label", default="")
    s.add_argument("--chaos-host-pid", type=int, default=0)
    s.add_argument("--chaos-log", default="")
    s.add_argument("--chaos-interval", type=float, default=2.0)
    s.add_argument("--replacement-wait", type=float, default=10.0)
    s.add_argument("--out", default="")
    s.set_defaults(func=cmd_load)

    s = sub.add_parser("balancer-report")
    s.add_argument("--skewed", action="append", default=[], help="STRATEGY=load-result.json (repeatable)")
    s.add_argument("--chaos", default="")
    s.add_argument("--out", default="")
    s.set_defaults(func=cmd_balancer_report)

    a = p.parse_args()
    return a.func(a)


if __name__ == "__main__":
    sys.exit(main())
