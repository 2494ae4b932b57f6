"""Runs the real `functions-host start` for the storage tests and reads what its banner says."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def host_binary() -> Path | None:
    """The functions-host binary: $FUNCTIONS_HOST_BIN, else the debug build."""
    path = Path(os.environ.get("FUNCTIONS_HOST_BIN") or ROOT / ".build" / "debug" / "functions-host")
    return path if path.exists() else None


class LiveHost:
    """`functions-host start` on free ports with its own store; `stop()` or `kill()` ends it."""

    def __init__(self, script_root: Path, store: Path, *extra: str, env: dict | None = None, reload: bool = False,
                 auth: bool = False):
        binary = host_binary()
        assert binary, "functions-host is not built"
        self.lines: list[str] = []
        self._changed = threading.Condition()
        self.process = subprocess.Popen(
            [str(binary), "start", "--script-root", str(script_root), "--port", "0", "--blob-port", "0",
             "--queue-port", "0", "--store", str(store), *([] if auth else ["--no-auth"]),
             *([] if reload else ["--no-reload"]),
             *extra],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env={**os.environ, **(env or {})},
            start_new_session=True)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        storage = self.wait_for(r"^Storage: blob=(\S+) queue=(\S+)")
        self.blob_endpoint, self.queue_endpoint = storage.group(1), storage.group(2)
        self.connection_string = self.wait_for(r"connection string: (\S+)").group(1)
        self.http = self.wait_for(r"HTTP front door listening on (http://\S+)").group(1)

    def _read(self):
        for line in self.process.stdout:
            with self._changed:
                self.lines.append(line.rstrip("\n"))
                self._changed.notify_all()
        with self._changed:
            self.lines.append("<exited>")
            self._changed.notify_all()

    def wait_for(self, pattern: str, timeout: float = 120.0, start: int = 0) -> re.Match:
        """The first output line from `start` on matching `pattern`; fails on timeout or exit."""
        regex = re.compile(pattern)
        with self._changed:
            def found():
                for line in self.lines[start:]:
                    m = regex.search(line)
                    if m:
                        return m
                    if line == "<exited>":
                        raise AssertionError("the host exited:\n" + "\n".join(self.lines[-40:]))
                return None
            result = self._changed.wait_for(found, timeout=timeout)
        assert result, f"no line matching {pattern!r} in {timeout} s:\n" + "\n".join(self.lines[-40:])
        return result

    def kill(self):
        """kill -9 of the host and its workers (its whole process group)."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
        self._reader.join(timeout=5)
