"""Observability of the real host: `--log-format json` (each line a JSON object, secrets redacted), the
live dashboard loaded in headless Chromium (DOM asserted, screenshot kept under
.build/test-artifacts/), and `POST /admin/functions/<name>`.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import threading
import urllib.request
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "storage"))
from live_host import ROOT, LiveHost, host_binary  # noqa: E402
from cdp import Browser  # noqa: E402

pytestmark = pytest.mark.skipif(host_binary() is None, reason="functions-host is not built (swift build)")

SECRET = "c2VjcmV0LWFjY291bnQta2V5LXZhbHVl"
ARTIFACTS = ROOT / ".build" / "test-artifacts"


def write_app(root: Path) -> Path:
    files = {
        "host.json": '{"version": "2.0"}',
        "local.settings.json": json.dumps({"IsEncrypted": False, "Values": {
            "FUNCTIONS_WORKER_RUNTIME": "python", "AzureWebJobsStorage": "UseDevelopmentStorage=true"}}),
        "hello/function.json": json.dumps({"bindings": [
            {"name": "req", "type": "httpTrigger", "direction": "in", "authLevel": "anonymous"},
            {"name": "$return", "type": "http", "direction": "out"}]}),
        "hello/__init__.py": f"""
            import logging
            import azure.functions as func

            def main(req: func.HttpRequest) -> func.HttpResponse:
                logging.info('hello from the function')
                logging.info('connecting with AccountName=dev;AccountKey={SECRET};EndpointSuffix=x')
                if req.params.get('fail'):
                    raise ValueError('asked to fail')
                return func.HttpResponse('hi')
            """,
        "shout/function.json": json.dumps({"bindings": [
            {"name": "msg", "type": "queueTrigger", "direction": "in", "queueName": "shout-in",
             "connection": "AzureWebJobsStorage"}]}),
        "shout/__init__.py": """
            import logging

            def main(msg: str) -> None:
                logging.info('shouting ' + msg.upper())
            """,
    }
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))
    return root


def get(url: str, method: str = "GET", body: bytes | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, method=method, data=body)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.fixture
def app(tmp_path: Path) -> Path:
    return write_app(tmp_path / "app")


def test_json_logs_are_one_object_per_line_without_secrets(app: Path, tmp_path: Path):
    binary = host_binary()
    process = subprocess.Popen(
        [str(binary), "start", "--script-root", str(app), "--port", "0", "--no-storage-endpoints",
         "--store", str(tmp_path / "store.sqlite"), "--no-auth", "--no-auth-admin", "--no-reload", "--log-format", "json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    records: list[dict] = []
    raw: list[str] = []
    changed = threading.Condition()

    def read():
        for line in process.stderr:
            with changed:
                raw.append(line)
                records.append(json.loads(line))  # a line that is not JSON fails the reader: see below
                changed.notify_all()

    failures: list[BaseException] = []

    def guarded():
        try:
            read()
        except BaseException as error:  # noqa: BLE001 - reported by the test
            failures.append(error)
            with changed:
                changed.notify_all()

    reader = threading.Thread(target=guarded, daemon=True)
    reader.start()
    try:
        def wait(predicate, what: str):
            with changed:
                ok = changed.wait_for(lambda: failures or any(predicate(r) for r in records), timeout=120)
            assert not failures, f"a log line is not JSON: {failures[0]!r}; lines: {raw[-5:]}"
            assert ok, f"no log record {what}; got: {raw[-20:]}"
            return next(r for r in records if predicate(r))

        listening = wait(lambda r: r["message"].startswith("HTTP front door listening on"), "for the front door")
        url = listening["message"].split(" on ", 1)[1]
        wait(lambda r: "is ready" in r["message"], "for a ready worker")
        status, body = get(f"{url}/api/hello")
        assert status == 200 and body == b"hi"
        logged = wait(lambda r: r["message"] == "hello from the function", "for the function's log line")
        assert logged["function"] == "hello"
        assert logged["invocationId"]
        assert logged["level"] == "info"
        assert "T" in logged["time"] and logged["time"].endswith("Z")
        assert logged["category"]
        secret_line = wait(lambda r: "AccountName=dev" in r["message"], "for the line with a connection string")
        assert SECRET not in secret_line["message"]
        assert "AccountKey=REDACTED" in secret_line["message"]
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
        reader.join(timeout=10)
    assert not failures, f"a log line is not JSON: {failures[0]!r}"
    assert all(SECRET not in line for line in raw)
    for record in records:
        assert {"time", "level", "message", "category"} <= record.keys()


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(chromium() is None, reason="chromium is not installed (apt-get install chromium)")
def test_dashboard_in_a_real_browser(app: Path, tmp_path: Path):
    host = LiveHost(app, tmp_path / "store.sqlite", "--no-auth-admin")
    browser = None
    try:
        host.wait_for(r"worker 0 is ready")
        for _ in range(3):
            assert get(f"{host.http}/api/hello")[0] == 200
        assert get(f"{host.http}/api/hello?fail=1")[0] == 500
        status, _ = get(f"{host.http}/admin/functions/shout", "POST", json.dumps({"input": "by hand"}).encode())
        assert status == 202
        host.wait_for(r"shouting BY HAND")

        browser = Browser(chromium())
        browser.navigate(f"{host.http}/admin/dashboard")
        # Wait (on DOM changes, not a timer) until a server-sent event showed all five invocations.
        browser.evaluate("""new Promise((resolve) => {
            const done = () => document.querySelectorAll('#invocations li[data-id]').length >= 5;
            if (done()) return resolve(true);
            new MutationObserver(() => { if (done()) resolve(true); })
              .observe(document.body, {childList: true, subtree: true});
        })""")
        row = lambda name: browser.evaluate(f"""(() => {{
            const tr = document.querySelector('#functions tr[data-function="{name}"]');
            const text = (c) => tr.querySelector('td.' + c).textContent;
            return {{count: text('count'), errors: text('errors'), trigger: text('trigger'), url: text('url'),
                     p50: text('p50'), spark: tr.querySelectorAll('svg.spark polyline').length}};
        }})()""")
        hello = row("hello")
        assert hello["count"] == "4" and hello["errors"] == "25%" and hello["trigger"] == "httpTrigger"
        assert hello["url"].endswith("/api/hello") and hello["p50"] != "" and hello["spark"] == 1
        shout = row("shout")
        assert shout["count"] == "1" and shout["trigger"] == "queueTrigger"
        assert browser.evaluate("document.querySelectorAll('#invocations li.failed').length") == 1
        assert browser.evaluate("document.querySelector('#workers tr[data-slot=\"0\"] td.state').textContent") == "ready"
        assert browser.evaluate("!!document.querySelector('#queues tr[data-queue=\"shout-in\"]')")

        # Click the queue invocation: its log lines appear.
        logs = browser.evaluate("""new Promise((resolve) => {
            document.querySelector('#invocations li[data-function="shout"]').click();
            resolve(document.querySelector('#logs pre').textContent);
        })""")
        assert "shouting BY HAND" in logs

        # A new invocation arrives live, without reloading the page.
        assert get(f"{host.http}/api/hello")[0] == 200
        assert browser.evaluate("""new Promise((resolve) => {
            const cell = () => document.querySelector('#functions tr[data-function="hello"] td.count');
            const done = () => cell() && cell().textContent === '5';
            if (done()) return resolve(true);
            new MutationObserver(() => { if (done()) resolve(true); })
              .observe(document.body, {childList: true, subtree: true, characterData: true});
        })""")

        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        screenshot = ARTIFACTS / "dashboard.png"
        browser.screenshot(screenshot)
        (ARTIFACTS / "dashboard.html").write_text(browser.evaluate("document.documentElement.outerHTML"))
        assert screenshot.stat().st_size > 1000
    finally:
        if browser:
            browser.close()
        host.stop()


def test_metrics_port_serves_prometheus_text(app: Path, tmp_path: Path):
    host = LiveHost(app, tmp_path / "store.sqlite", "--no-auth-admin", "--metrics-port", "0")
    try:
        url = host.wait_for(r"metrics endpoint listening on (http://\S+)").group(1)
        host.wait_for(r"worker 0 is ready")
        assert get(f"{host.http}/api/hello")[0] == 200
        status, body = get(url)
        assert status == 200
        text = body.decode()
        assert 'functions_invocations_total{function="hello",outcome="succeeded",trigger="httpTrigger"} 1' in text \
            or any(line.startswith("functions_invocations_total{") and 'function="hello"' in line
                   and 'outcome="succeeded"' in line and line.endswith(" 1") for line in text.splitlines())
        assert get(url.replace("/metrics", "/other"))[0] == 404
        # Text logs into a pipe (not a terminal) carry no colour codes.
        assert host.lines and not any("\x1b[" in line for line in host.lines)
    finally:
        host.stop()
