"""The soak benchmark in its CI size (scripts/bench/soak.sh --ci): one minute of steady load with idle
connections, slow clients, worker crashes and stuck functions; the host must survive, still serve,
and keep its RSS and descriptor count flat."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "storage"))
from live_host import ROOT, host_binary  # noqa: E402

pytestmark = pytest.mark.skipif(host_binary() is None, reason="functions-host is not built (swift build)")


def test_soak_ci_size_keeps_the_host_flat_and_serving(tmp_path):
    out = tmp_path / "soak.json"
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "bench" / "_soak.py"), "--binary", str(host_binary()),
         "--minutes", "1", "--idle", "100", "--slow", "10", "--out", str(out)],
        capture_output=True, text=True, timeout=600)
    assert out.exists(), result.stdout[-3000:] + result.stderr[-3000:]
    summary = json.loads(out.read_text())
    print(json.dumps(summary, indent=1))
    assert summary["alive"] and summary["still_serving"], summary
    assert not summary["fatal_in_log"]
    assert summary["flat"], summary
    assert summary["requests"]["hello"].get("200", 0) > 100  # the steady load really ran
    assert summary["requests"].get("crash"), "no worker crash was provoked"
    assert result.returncode == 0, result.stdout[-3000:]
