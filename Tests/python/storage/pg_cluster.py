"""A throwaway PostgreSQL cluster for the multi-host tests: initdb in a temporary folder (as the Debian
package's postgres user when running as root), a free loopback port, stopped at the end."""
from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile

import pytest


def pg_bin() -> str | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return os.path.dirname(found[-1]) if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    def __init__(self):
        self.bin = pg_bin()
        assert self.bin, "PostgreSQL is not installed (apt-get install postgresql)"
        self.dir = tempfile.mkdtemp(prefix="fh-pg-")
        os.chmod(self.dir, 0o755)
        self.data = os.path.join(self.dir, "data")
        self.port = _free_port()
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_user:
            shutil.chown(self.dir, "postgres")
        self._run("initdb", "-D", self.data, "-A", "trust", "-U", "postgres", "--no-sync")
        self.resume()

    def resume(self):
        """Starts the server (again, on the same port after ``pause``)."""
        self._run("pg_ctl", "start", "-w", "-t", "60", "-D", self.data, "-l", os.path.join(self.dir, "log"),
                  "-o", f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off")

    def pause(self):
        """Stops the server as a crash would (immediate mode), keeping its data for ``resume``."""
        self._run("pg_ctl", "stop", "-m", "immediate", "-w", "-D", self.data)

    def _run(self, tool: str, *args: str):
        subprocess.run([*self.as_user, os.path.join(self.bin, tool), *args], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)

    def create_database(self, name: str) -> str:
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name)
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self):
        try:
            self._run("pg_ctl", "stop", "-m", "immediate", "-w", "-D", self.data)
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="module")
def cluster():
    """One throwaway cluster per test module (import this fixture into the module)."""
    c = Cluster()
    yield c
    c.stop()
