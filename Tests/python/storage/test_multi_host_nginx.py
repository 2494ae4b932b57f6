"""The README's nginx configuration (Examples/multi-host/nginx.conf) in front of two hosts on one
PostgreSQL store: requests are spread over both, and when one host is killed -9 every request still
gets an answer from the other."""
from __future__ import annotations

import json
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from live_host import ROOT, LiveHost, host_binary
from pg_cluster import _free_port, cluster, pg_bin  # noqa: F401 (cluster: a fixture)

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)

pytestmark = [
    pytest.mark.skipif(host_binary() is None, reason="functions-host is not built (swift build)"),
    pytest.mark.skipif(pg_bin() is None, reason="PostgreSQL is not installed (apt-get install postgresql)"),
    pytest.mark.skipif(NGINX is None, reason="nginx is not installed (apt-get install nginx)"),
]


def _app(root):
    (root / "hello").mkdir(parents=True)
    (root / "host.json").write_text(json.dumps({"version": "2.0"}))
    (root / "local.settings.json").write_text(json.dumps({"IsEncrypted": False, "Values": {
        "FUNCTIONS_WORKER_RUNTIME": "python", "AzureWebJobsStorage": "UseDevelopmentStorage=true"}}))
    (root / "hello" / "function.json").write_text(json.dumps({"bindings": [
        {"name": "req", "type": "httpTrigger", "direction": "in", "authLevel": "anonymous"},
        {"name": "$return", "type": "http", "direction": "out"}]}))
    (root / "hello" / "__init__.py").write_text("import os\n\ndef main(req) -> str:\n    return os.environ['HOST_TAG']\n")
    return root


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.status, response.read().decode()


def test_nginx_spreads_requests_and_skips_a_dead_host(tmp_path, cluster):
    url = cluster.create_database("behind_nginx")
    app = _app(tmp_path / "app")
    hosts = [LiveHost(app, url, "--host-id", f"h{i}", env={"HOST_TAG": f"h{i}"}) for i in range(2)]
    nginx = None
    try:
        ports = [h.http.rsplit(":", 1)[1] for h in hosts]
        listen = _free_port()
        conf = (ROOT / "Examples" / "multi-host" / "nginx.conf").read_text()
        for default, real in (("7071", ports[0]), ("7072", ports[1])):
            assert f"127.0.0.1:{default}" in conf
            conf = conf.replace(f"127.0.0.1:{default}", f"127.0.0.1:{real}")
        assert "listen 127.0.0.1:8080;" in conf
        conf = conf.replace("listen 127.0.0.1:8080;", f"listen 127.0.0.1:{listen};")
        prefix = tmp_path / "nginx"
        (prefix / "logs").mkdir(parents=True)
        (prefix / "nginx.conf").write_text(conf)
        nginx = subprocess.Popen(
            [NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf"),
             "-g", f"daemon off; pid {prefix}/nginx.pid; error_log {prefix}/logs/error.log;"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        front = f"http://127.0.0.1:{listen}/api/hello"
        # nginx is up once it answers; it starts in well under a second.
        answers = []
        for _ in range(200):
            try:
                answers.append(_get(front))
                break
            except OSError:
                assert nginx.poll() is None, nginx.stdout.read()
                time.sleep(0.05)
        answers += [_get(front) for _ in range(40)]
        assert all(status == 200 for status, _ in answers)
        by_host = {tag: sum(body == tag for _, body in answers) for tag in ("h0", "h1")}
        assert by_host["h0"] > 0 and by_host["h1"] > 0, by_host

        hosts[0].kill()
        after = [_get(front) for _ in range(40)]
        assert [status for status, _ in after] == [200] * 40
        assert {body for _, body in after} == {"h1"}
    finally:
        if nginx:
            nginx.terminate()
            nginx.wait(timeout=30)
        for h in hosts:
            h.stop()
