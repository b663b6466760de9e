"""Faults: a database that stops and comes back, and a request failing half-way."""

from __future__ import annotations

import os
import time

import pytest
from alembic import command
from sqlalchemy import func, select

from api import create_app
from api.alerts import service as alerts_service
from api.alerts.models import Alert
from api.checkins.models import CheckIn
from api.database import get_session, state
from api.migrate import alembic_config
from tests.factories import Factory
from tests.run_all import ThrowawayPostgres, _pg_bin
from tests.test_authorisation_matrix import ENTRIES, build_world

NO_DATABASE_NEEDED = {"/health", "/docs", "/docs/assets/<name>", "/api/v1/openapi.json"}


@pytest.fixture
def own_postgres():
    """A private PostgreSQL server that this test may stop and start."""
    pg_bin = _pg_bin()
    if pg_bin is None:
        pytest.fail(
            "PostgreSQL binaries are missing: run the suite with 'python -m tests.run_all', "
            "which installs them."
        )
    server = ThrowawayPostgres(pg_bin)
    url = server.start()
    yield server, url
    server.stop()


def test_database_outage_answers_503_then_recovers_without_restart(own_postgres):
    server, url = own_postgres
    command.upgrade(alembic_config(url), "head")
    app = create_app(
        {
            "UPRIGHT_ENV": "testing",
            "DATABASE_URL": url,
            "SECRET_KEY": "s" * 40,
            "RATELIMIT_ENABLED": False,
        }
    )
    with app.app_context():
        app.extensions["upright.catalogue_loader"]()
    client = app.test_client()
    world = build_world(client, Factory(app))
    owner = world.headers("owner")
    assert client.get("/ready").status_code == 200

    server.pause()
    try:
        outcomes = {}
        for entry in ENTRIES:
            kwargs = {"headers": owner}
            if entry.body is not None:
                kwargs["json"] = entry.body(world.ids)
            started = time.monotonic()
            response = client.open(entry.url(world.ids), method=entry.method, **kwargs)
            elapsed = time.monotonic() - started
            response.close()  # static files are streamed from an open file
            outcomes[(entry.method, entry.rule)] = response.status_code
            assert elapsed < 10, (entry.rule, elapsed)
            if entry.rule in NO_DATABASE_NEEDED:
                assert response.status_code == 200, entry.rule
                continue
            assert response.status_code == 503, (entry.method, entry.rule, response.status_code)
            body = response.get_json()
            assert body["code"] == 503 and body["message"]
            assert int(response.headers["Retry-After"]) > 0
        ready = client.get("/ready")
        assert ready.status_code == 503
        assert client.get("/health").status_code == 200
    finally:
        server.resume()

    deadline = time.monotonic() + 30
    while client.get("/ready").status_code != 200:
        assert time.monotonic() < deadline, "the app did not reconnect"
        time.sleep(0.5)
    assert client.get("/api/v1/me", headers=owner).status_code == 200
    assert client.get("/api/v1/exercises").status_code == 200
    state(app).engine.dispose()


def test_failure_between_two_writes_leaves_nothing_behind(app, make, monkeypatch):
    patient = make.patient()
    headers = make.headers(patient)

    def fail_after_alerts(**_kwargs):
        raise RuntimeError("injected failure after the check-in and its alert were flushed")

    monkeypatch.setattr(alerts_service, "place_hold", fail_after_alerts)
    response = app.test_client().post(
        "/api/v1/check-ins", json={"pain": 5, "symptoms": ["fever"]}, headers=headers
    )
    assert response.status_code == 500
    assert "injected" not in response.get_data(as_text=True)
    with app.app_context():
        session = get_session()
        assert session.scalar(select(func.count()).select_from(CheckIn)) == 0
        assert session.scalar(select(func.count()).select_from(Alert)) == 0
    monkeypatch.undo()
    retry = app.test_client().post(
        "/api/v1/check-ins", json={"pain": 5, "symptoms": ["fever"]}, headers=headers
    )
    assert retry.status_code == 201


def test_pool_settings_bound_the_wait(app):
    engine = state(app).engine
    if engine.dialect.name == "postgresql":
        assert engine.pool._pre_ping is True
        assert engine.pool._timeout <= 10
    assert os.environ.get("UPRIGHT_ENV") in (None, "", "testing")
