"""Fixtures for notifications: a fake FCM server and an app that pushes to it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from api.database import get_session
from tests.notifications.fake_fcm import FakeFcm, FakeFcmServer, write_credentials


@pytest.fixture(scope="session")
def fcm_server() -> Iterator[FakeFcmServer]:
    server = FakeFcmServer()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def fcm_credentials(tmp_path_factory, fcm_server):
    path = tmp_path_factory.mktemp("fcm") / "service-account.json"
    return write_credentials(path, f"{fcm_server.fake.url}/token")


@pytest.fixture
def fcm(fcm_server) -> FakeFcm:
    """The fake FCM, emptied for this test."""
    fake = fcm_server.fake
    with fake.lock:
        fake.received.clear()
        fake.scripts.clear()
    return fake


def push_settings(fcm_credentials, fcm_server) -> dict[str, object]:
    """Settings that switch push on, towards the fake FCM server."""
    return {
        "FCM_CREDENTIALS_FILE": str(fcm_credentials),
        "FCM_BASE_URL": fcm_server.fake.url,
    }


def at(text: str) -> dt.datetime:
    """An aware UTC instant from ISO text ("2026-11-24T19:00Z")."""
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(dt.UTC)


def rows(app, statement):
    with app.app_context():
        return get_session().execute(statement).all()


def tick(app, when: str | dt.datetime) -> dict:
    """One job round at ``when`` (what ``flask jobs tick --now`` does)."""
    from api.jobs.rounds import run_round

    now = at(when) if isinstance(when, str) else when
    with app.app_context():
        return run_round(app, now=now)


def inbox(app, user_id: int, kind: str | None = None) -> list:
    """A person's notifications, oldest first (read straight from the database)."""
    from sqlalchemy import select

    from api.notifications.models import Notification

    stmt = select(Notification).where(Notification.recipient_id == user_id)
    if kind is not None:
        stmt = stmt.where(Notification.kind == kind)
    with app.app_context():
        return list(get_session().scalars(stmt.order_by(Notification.created_at, Notification.id)))


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """The broker for the worker tests: TEST_REDIS_URL (tests.run_all starts one), or a
    throwaway redis-server started here."""
    import os
    import shutil

    url = os.environ.get("TEST_REDIS_URL")
    if url:
        yield url
        return
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail(
            "redis-server is missing: run the suite with 'python -m tests.run_all', "
            "which installs it."
        )
    from tests.run_all import ThrowawayRedis

    server = ThrowawayRedis(binary)
    try:
        yield server.start()
    finally:
        server.stop()
