"""Fixtures shared by the multi-host tests: one throwaway PostgreSQL cluster per test module."""
from __future__ import annotations

import pytest

from pg_cluster import Cluster


@pytest.fixture(scope="module")
def cluster():
    c = Cluster()
    yield c
    c.stop()
