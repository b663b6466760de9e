"""The cluster tests run only when asked: in the PostgreSQL leg of ``python -m tests.run_all``
(which sets UPRIGHT_CLUSTER_TESTS=1), or with ``-m cluster``. They start PostgreSQL,
PgBouncer, Redis, HAProxy and gunicorn from Debian's packages, installed when missing."""

from __future__ import annotations

import os

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("UPRIGHT_CLUSTER_TESTS") == "1" or "cluster" in (
        config.getoption("markexpr") or ""
    ):
        return
    cluster = [item for item in items if item.get_closest_marker("cluster")]
    if cluster:
        config.hook.pytest_deselected(items=cluster)
        items[:] = [item for item in items if not item.get_closest_marker("cluster")]
