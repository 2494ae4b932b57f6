"""Shared fixtures for the worker.py tests.

The worker under test is ``Sources/FunctionsPythonWorker/Resources/worker.py`` (override the
directory with FUNCTIONS_PYTHON_WORKER_DIR). It imports its generated protobuf modules from its
own directory, so that directory goes first on sys.path for the in-process unit tests.
"""
import os
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WORKER_DIR = Path(os.environ.get("FUNCTIONS_PYTHON_WORKER_DIR")
                  or ROOT / "Sources" / "FunctionsPythonWorker" / "Resources")
WORKER_SCRIPT = WORKER_DIR / "worker.py"

if str(WORKER_DIR) not in sys.path:
    sys.path.insert(0, str(WORKER_DIR))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def write_app(root: Path, files: dict) -> Path:
    """Writes {relative path: source} under root (sources are dedented)."""
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))
    return root


@pytest.fixture
def isolated_imports():
    """Restores sys.path / sys.modules so each test imports its own temporary app."""
    saved_path = list(sys.path)
    saved_modules = set(sys.modules)
    yield
    sys.path[:] = saved_path
    for name in set(sys.modules) - saved_modules:
        del sys.modules[name]
    sys.modules.pop("__app__", None)


@pytest.fixture
def worker_module():
    import worker
    return worker
