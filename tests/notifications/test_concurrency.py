"""Exactly once: concurrent job rounds, and workers killed after claiming.

Slow (about 10-20 s per engine): 200 patients, four rounds at once.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from api.accounts.models import Role, User
from api.database import get_session
from api.jobs.rounds import run_round
from api.notifications.models import Delivery, Device, Notification, Platform
from tests.factories import _password_hash
from tests.notifications.conftest import at, push_settings, tick

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def app_config(app_config, fcm_credentials, fcm_server):
    return {**app_config, **push_settings(fcm_credentials, fcm_server)}


def _patients_with_devices(app, count: int) -> list[str]:
    """``count`` patients in UTC, each with one Android device; returns the tokens."""
    tokens = []
    with app.app_context():
        session = get_session()
        for n in range(count):
            user = User(
                email=f"many{n}@example.org",
                email_key=f"many{n}@example.org",
                password_hash=_password_hash(),
                role=Role.patient,
                display_name=f"Many {n}",
                timezone="UTC",
                health_history=[],
                conditions=[],
            )
            session.add(user)
            session.flush()
            token = f"concurrency-device-token-{n:05d}-abcdef"
            session.add(Device(user_id=user.id, platform=Platform.android, token=token))
            tokens.append(token)
        session.commit()
    return tokens


def _count(app, model) -> int:
    with app.app_context():
        return get_session().scalar(select(func.count()).select_from(model))


def test_four_concurrent_rounds_deliver_200_due_reminders_exactly_once(app, fcm, capsys):
    tokens = _patients_with_devices(app, 200)
    assert tick(app, "2026-11-24T12:00Z")["schedules_created"] == 200
    now = at("2026-11-24T19:00Z")
    results: list[dict] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def one_round() -> None:
        try:
            with app.app_context():
                barrier.wait()
                results.append(run_round(app, now=now))
        except BaseException as error:  # reported below
            errors.append(error)

    started = time.monotonic()
    threads = [threading.Thread(target=one_round) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    elapsed = time.monotonic() - started
    assert errors == []
    assert len(results) == 4
    received = fcm.tokens()
    assert sorted(received) == sorted(tokens)  # every device once, none twice
    assert _count(app, Notification) == 200
    with app.app_context():
        statuses = (
            get_session()
            .execute(
                select(Delivery.status, Delivery.attempts, func.count()).group_by(
                    Delivery.status, Delivery.attempts
                )
            )
            .all()
        )
    assert [(str(s), a, c) for s, a, c in statuses] == [("sent", 1, 200)]
    fired = [r["reminders"] for r in results]
    pushed = [r["pushes"].get("sent", 0) for r in results]
    assert sum(fired) == 200 and sum(pushed) == 200
    with capsys.disabled():
        print(
            f"\n[concurrency] 4 rounds, 200 due reminders: {elapsed:.2f} s; "
            f"notifications per round {fired}; pushes per round {pushed}; "
            f"FCM received {len(received)} messages for {len(set(received))} devices"
        )
    assert tick(app, "2026-11-24T19:05Z")["reminders"] == 0  # and nothing left to do


def _crash(database_url: str, config: dict, mode: str, now: str) -> str:
    env = {
        **os.environ,
        "UPRIGHT_ENV": "testing",
        "DATABASE_URL": database_url,
        "SECRET_KEY": "crash-worker-secret-key-long-enough-0123456789",
        "FCM_CREDENTIALS_FILE": str(config["FCM_CREDENTIALS_FILE"]),
        "FCM_BASE_URL": str(config["FCM_BASE_URL"]),
    }
    done = subprocess.run(
        [sys.executable, "-m", "tests.notifications.crash_worker", mode, now],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == -9, done.stderr  # killed, as planned
    return done.stdout


def test_workers_killed_after_claiming_lose_nothing_and_double_nothing(
    app, app_config, database_url, fcm
):
    tokens = _patients_with_devices(app, 20)
    tick(app, "2026-11-24T12:00Z")
    # 1. a worker dies holding the reminder claims, before its commit
    assert "claimed 20 created 20" in _crash(
        database_url, app_config, "reminders", "2026-11-24T19:00:00+00:00"
    )
    assert _count(app, Notification) == 0
    # 2. the next round fires them (pushes held back: the lease test needs them queued)
    from api.notifications import reminders
    from api.notifications.service import DEFER

    with app.app_context():
        session = get_session()
        session.info[DEFER] = True
        assert reminders.fire_due(session, now=at("2026-11-24T19:01Z"), limit=100) == (20, 20)
        session.commit()
    assert _count(app, Notification) == 20
    # 3. a worker claims every delivery and dies before sending any
    assert "claimed 20" in _crash(
        database_url, app_config, "deliveries", "2026-11-24T19:01:00+00:00"
    )
    # 4. while the leases hold, nobody sends; when they run out, each is sent once
    assert tick(app, "2026-11-24T19:02Z")["pushes"] == {}
    assert fcm.received == []
    tick(app, "2026-11-24T19:03Z")
    tick(app, "2026-11-24T19:04Z")
    assert sorted(fcm.tokens()) == sorted(tokens)
    with app.app_context():
        rows = get_session().execute(select(Delivery.status, Delivery.attempts)).all()
    assert {(str(s), a) for s, a in rows} == {("sent", 2)}
    assert _count(app, Notification) == 20
