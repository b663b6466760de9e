"""Retries and races: database constraints, not check-then-insert, keep one row.

Requests run in real threads through the WSGI app, each with its own database
session and connection (PostgreSQL: separate server connections; SQLite:
writers queue on BEGIN IMMEDIATE).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from api.accounts.models import RefreshToken
from api.alerts.models import Alert, AlertEvent
from api.checkins.models import CheckIn
from api.database import get_session

ATTEMPTS = 8


@pytest.fixture
def app_config(app_config: dict[str, object]) -> dict[str, object]:
    """These tests are about constraints, not time bounds (tests/reliability/test_faults.py
    has those): eight threads of one process on a busy 2-core machine can hold the first
    writer's lock past the default 5 s, and the breaker would then refuse every thread."""
    return {**app_config, "DB_STATEMENT_TIMEOUT": 60}


def race(app, call: Callable[[object], object], attempts: int = ATTEMPTS) -> list:
    """Run ``call(client)`` from ``attempts`` threads released at the same moment."""
    barrier = threading.Barrier(attempts)
    results: list = [None] * attempts

    def worker(n: int) -> None:
        client = app.test_client()
        barrier.wait()
        results[n] = call(client)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def count(app, model, *where) -> int:
    with app.app_context():
        return get_session().scalar(select(func.count()).select_from(model).where(*where))


def test_concurrent_retries_with_one_client_id_create_one_check_in(app, make):
    headers = make.headers(make.patient())
    body = {"client_id": "phone-retry-0001", "pain": 4}
    responses = race(app, lambda c: c.post("/api/v1/check-ins", json=body, headers=headers))
    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(201) == 1, statuses
    assert set(statuses) <= {200, 201}, statuses
    assert len({r.get_json()["id"] for r in responses}) == 1
    assert count(app, CheckIn) == 1


def test_concurrent_same_day_check_ins_create_one(app, make):
    headers = make.headers(make.patient())
    responses = race(app, lambda c: c.post("/api/v1/check-ins", json={"pain": 3}, headers=headers))
    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(201) == 1, statuses
    assert set(statuses) <= {201, 409}, statuses
    assert count(app, CheckIn) == 1


def test_concurrent_red_flags_raise_one_alert_and_one_hold(app, make):
    """Same-day PATCHes re-triaging at once must not duplicate the open alert."""
    patient = make.patient()
    headers = make.headers(patient)
    client = app.test_client()
    check_in = client.post("/api/v1/check-ins", json={"pain": 3}, headers=headers).get_json()
    url = f"/api/v1/check-ins/{check_in['id']}"
    responses = race(app, lambda c: c.patch(url, json={"symptoms": ["fever"]}, headers=headers))
    assert all(r.status_code == 200 for r in responses), [r.status_code for r in responses]
    assert count(app, Alert, Alert.patient_id == patient) == 1


def test_two_therapists_resolving_at_once_leave_one_history(app, make):
    patient = make.patient()
    first, second = make.therapist(), make.therapist()
    make.link(first, patient)
    make.link(second, patient)
    client = app.test_client()
    client.post(
        "/api/v1/check-ins", json={"pain": 3, "symptoms": ["fever"]}, headers=make.headers(patient)
    )
    alert_id = client.get("/api/v1/alerts", headers=make.headers(patient)).get_json()[0]["id"]
    therapists = [make.headers(first), make.headers(second)] * (ATTEMPTS // 2)
    order = iter(range(ATTEMPTS))
    lock = threading.Lock()

    def resolve(c):
        with lock:
            headers = therapists[next(order)]
        return c.post(
            f"/api/v1/alerts/{alert_id}/resolve",
            json={"note": "assessed", "outcome": "not_a_concern"},
            headers=headers,
        )

    statuses = sorted(r.status_code for r in race(app, resolve))
    assert statuses.count(200) == 1, statuses
    assert set(statuses) <= {200, 409}, statuses
    resolved = count(
        app, AlertEvent, AlertEvent.alert_id == alert_id, AlertEvent.action == "resolved"
    )
    assert resolved == 1


def test_concurrent_refreshes_with_one_token_all_get_the_same_pair(app):
    """An app refreshing from several places at once (or retrying) is not signed out:
    one rotation happens, and every request gets the pair it made."""
    client = app.test_client()
    client.post(
        "/api/v1/auth/register",
        json={
            "email": "race@example.org",
            "password": "a sturdy passphrase 42",
            "display_name": "R",
        },
    )
    pair = client.post(
        "/api/v1/auth/login",
        json={"email": "race@example.org", "password": "a sturdy passphrase 42"},
    ).get_json()
    body = {"refresh_token": pair["refresh_token"]}
    responses = race(app, lambda c: c.post("/api/v1/auth/refresh", json=body))
    assert [r.status_code for r in responses] == [200] * ATTEMPTS
    pairs = {(r.get_json()["access_token"], r.get_json()["refresh_token"]) for r in responses}
    assert len(pairs) == 1
    ((access, refresh),) = pairs
    assert refresh != pair["refresh_token"]
    assert count(app, RefreshToken) == 2  # the first token and one successor
    assert count(app, RefreshToken, RefreshToken.revoked_at.is_not(None)) == 0
    headers = {"Authorization": f"Bearer {access}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    rotated = client.post("/api/v1/auth/refresh", json={"refresh_token": refresh})
    assert rotated.status_code == 200
