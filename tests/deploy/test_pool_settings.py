"""The database pool settings and the PgBouncer-safe connection options (no server needed)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event

from api import create_app
from api.config import ConfigError
from api.database import state

POSTGRES = "postgresql+psycopg://upright@/upright?host=/nonexistent"


class _Captured(Exception):
    pass


def _connect_parameters(engine) -> dict[str, Any]:
    """The keyword arguments psycopg would be called with (without connecting)."""
    seen: dict[str, Any] = {}

    def capture(_dialect, _record, _cargs, cparams):
        seen.update(cparams)
        raise _Captured

    event.listen(engine, "do_connect", capture)
    with pytest.raises(_Captured):
        engine.connect()
    return seen


def test_pool_size_and_overflow_come_from_the_settings(monkeypatch):
    monkeypatch.setenv("DB_POOL_SIZE", "3")
    monkeypatch.setenv("DB_MAX_OVERFLOW", "7")
    app = create_app({"UPRIGHT_ENV": "testing", "DATABASE_URL": POSTGRES})
    pool = state(app).engine.pool
    assert pool.size() == 3
    assert pool._max_overflow == 7


def test_postgresql_connections_never_prepare_statements_by_default(monkeypatch):
    """PgBouncer < 1.21 in transaction mode cannot follow psycopg's prepared statements."""
    monkeypatch.delenv("DB_PREPARED_STATEMENTS", raising=False)
    # without a statement timeout no other connect hook runs before the one that captures
    app = create_app(
        {"UPRIGHT_ENV": "testing", "DATABASE_URL": POSTGRES, "DB_STATEMENT_TIMEOUT": 0}
    )
    parameters = _connect_parameters(state(app).engine)
    assert "prepare_threshold" in parameters
    assert parameters["prepare_threshold"] is None


@pytest.mark.parametrize(("raw", "threshold"), [("true", 5), ("false", None), ("", None)])
def test_db_prepared_statements_prepares_on_the_sixth_run(monkeypatch, raw, threshold):
    """``DB_PREPARED_STATEMENTS=true`` (PostgreSQL reached directly): psycopg prepares a
    statement on its 6th run on a connection, its own default."""
    monkeypatch.setenv("DB_PREPARED_STATEMENTS", raw)
    app = create_app(
        {"UPRIGHT_ENV": "testing", "DATABASE_URL": POSTGRES, "DB_STATEMENT_TIMEOUT": 0}
    )
    assert _connect_parameters(state(app).engine)["prepare_threshold"] == threshold


@pytest.mark.parametrize("name", ["DB_POOL_SIZE", "DB_MAX_OVERFLOW"])
def test_a_negative_pool_setting_stops_the_start(name):
    with pytest.raises(ConfigError, match=name):
        create_app({"UPRIGHT_ENV": "testing", "DATABASE_URL": POSTGRES, name: -1})
