"""Several hosts on one PostgreSQL store accept the same function keys, and a key rotated or added
through one host's admin API is enforced by every host at once (the keys live in the shared store)."""
from __future__ import annotations

import json
import textwrap
import time
import urllib.error
import urllib.request

import pytest

from live_host import LiveHost, host_binary
from pg_cluster import cluster, pg_bin  # noqa: F401 (cluster: a fixture)

pytestmark = [
    pytest.mark.skipif(host_binary() is None, reason="functions-host is not built (swift build)"),
    pytest.mark.skipif(pg_bin() is None, reason="PostgreSQL is not installed (apt-get install postgresql)"),
]


def _app(root):
    (root / "hello").mkdir(parents=True)
    (root / "host.json").write_text(json.dumps({"version": "2.0"}))
    (root / "local.settings.json").write_text(json.dumps({"IsEncrypted": False, "Values": {
        "FUNCTIONS_WORKER_RUNTIME": "python", "AzureWebJobsStorage": "UseDevelopmentStorage=true"}}))
    (root / "hello" / "function.json").write_text(json.dumps({"bindings": [
        {"name": "req", "type": "httpTrigger", "direction": "in", "authLevel": "function", "methods": ["get"]},
        {"name": "$return", "type": "http", "direction": "out"}]}))
    (root / "hello" / "__init__.py").write_text(textwrap.dedent("""
        def main(req) -> str:
            return "hello"
    """))
    return root


def _call(url: str, key: str | None = None, method: str = "GET", body: dict | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, method=method, data=None if body is None else json.dumps(body).encode())
    if key:
        request.add_header("x-functions-key", key)
    if body is not None:
        request.add_header("content-type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def _until(check, what: str, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"{what} within {timeout:g} s"
        time.sleep(0.05)  # the test's poll; the hosts learn of changes through NOTIFY


def test_hosts_share_keys_and_a_rotation_through_one_reaches_all(tmp_path, cluster):
    url = cluster.create_database("shared_keys")
    app = _app(tmp_path / "app")
    first = LiveHost(app, url, "--host-id", "h0", "--secrets-file", str(tmp_path / "h0-secrets.json"), auth=True)
    second = None
    try:
        master = first.wait_for(r"master key: (\S+)").group(1)
        function_key = first.wait_for(r"function 'hello' key 'default': (\S+)").group(1)
        # A second host with its own (empty) secrets file takes the keys from the store, creates none.
        second = LiveHost(app, url, "--host-id", "h1", "--secrets-file", str(tmp_path / "h1-secrets.json"), auth=True)
        second.wait_for(r"Keys: in the shared store")
        assert not any("master key:" in line for line in second.lines)
        hosts = [first, second]

        def ready(h):  # a host enforces the shared keys once its start-up has read them
            return _call(f"{h.http}/api/hello", function_key)[0] == 200
        _until(lambda: all(ready(h) for h in hosts), "both hosts accept the shared function key")
        for h in hosts:
            assert _call(f"{h.http}/api/hello")[0] == 401
            assert _call(f"{h.http}/api/hello", "not-a-key-at-all-0000")[0] == 401

        # The stock key API: list, rotate through the first host; the second enforces the new key at once.
        status, body = _call(f"{first.http}/admin/functions/hello/keys", master)
        assert status == 200 and json.loads(body) == {"keys": [{"name": "default", "value": function_key}]}
        status, body = _call(f"{first.http}/admin/functions/hello/keys/default", master, method="POST")
        assert status == 200, body
        rotated = json.loads(body)["value"]
        assert rotated != function_key
        _until(lambda: _call(f"{second.http}/api/hello", function_key)[0] == 401, "the old key refused by the other host")
        assert _call(f"{second.http}/api/hello", rotated)[0] == 200

        # A host key set through the second host opens the function on the first.
        chosen = "a-host-key-chosen-by-hand-0123456789"
        status, body = _call(f"{second.http}/admin/host/keys/ci", master, method="PUT", body={"name": "ci", "value": chosen})
        assert status == 201 and json.loads(body) == {"name": "ci", "value": chosen}
        _until(lambda: _call(f"{first.http}/api/hello", chosen)[0] == 200, "the new host key accepted by the first host")

        # Rotating the master key through one host: the old one no longer opens /admin anywhere.
        status, body = _call(f"{first.http}/admin/host/keys/_master", master, method="POST")
        assert status == 200, body
        new_master = json.loads(body)["value"]
        _until(lambda: _call(f"{second.http}/admin/host/keys", master)[0] == 401, "the old master key refused")
        status, body = _call(f"{second.http}/admin/host/keys", new_master)
        assert status == 200 and {"name": "ci", "value": chosen} in json.loads(body)["keys"]

        # Bad requests name what is wrong; deleting the master key is refused.
        status, body = _call(f"{first.http}/admin/host/keys/_master", new_master, method="DELETE")
        assert status == 400 and "cannot be deleted" in body
        status, body = _call(f"{first.http}/admin/host/keys/x", new_master, method="PUT", body={"value": "short"})
        assert status == 400 and "'value'" in body
        status, body = _call(f"{first.http}/admin/functions/nope/keys", new_master)
        assert status == 404 and "nope" in body

        # A restarted host reads the shared keys (the rotated ones), not its old file.
        first.stop()
        first = LiveHost(app, url, "--host-id", "h0", "--secrets-file", str(tmp_path / "h0-secrets.json"), auth=True)
        _until(lambda: _call(f"{first.http}/api/hello", rotated)[0] == 200, "the restarted host accepts the rotated key")
        assert _call(f"{first.http}/api/hello", function_key)[0] == 401
    finally:
        first.stop()
        if second:
            second.stop()
