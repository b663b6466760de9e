"""A signed-in request loads its caller, its first statement, on a connection checked out
without the pool's ping (a round trip of its own); a connection the server dropped is
found out by that statement, replaced, and the request answers as it would have."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from api.checkins.models import CheckIn
from api.database import state


def _drop_the_pooled_connection(app) -> None:
    """The server ends the one connection the pool holds (a restart, a failover)."""
    engine = state(app).engine
    if engine.dialect.name != "postgresql":
        return  # SQLite has no server to drop it: the requests below answer all the same
    with engine.connect() as pooled:
        pid = pooled.execute(text("SELECT pg_backend_pid()")).scalar_one()
    other = create_engine(app.config["DATABASE_URL"], poolclass=NullPool)
    with other.connect() as admin:
        assert admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()
    other.dispose()


def test_a_signed_in_request_sends_no_ping(app, client, make, request):
    patient = make.patient()
    headers = make.headers(patient)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    pings = request.getfixturevalue("pings")  # counted from here on
    for path in ("/api/v1/me", "/api/v1/me/today", "/api/v1/sessions"):
        assert client.get(path, headers=headers).status_code == 200
        assert pings == [], path


def test_a_read_on_a_connection_the_server_dropped_answers_as_before(app, client, make):
    patient = make.patient()
    headers = make.headers(patient)
    state(app).engine.dispose()
    expected = client.get("/api/v1/me", headers=headers)
    assert expected.status_code == 200
    _drop_the_pooled_connection(app)
    again = client.get("/api/v1/me", headers=headers)
    assert again.status_code == 200, again.get_json()
    assert again.get_json() == expected.get_json()


def test_a_check_in_on_a_connection_the_server_dropped_is_stored_once(app, client, make):
    patient = make.patient()
    headers = make.headers(patient)
    state(app).engine.dispose()
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    _drop_the_pooled_connection(app)
    body = {"date": dt.date.today().isoformat(), "pain": 4, "client_id": "dropped-1"}
    created = client.post("/api/v1/check-ins", json=body, headers=headers)
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["pain"] == 4
    with Session(state(app).engine) as session:
        stored = session.scalar(select(func.count()).where(CheckIn.patient_id == patient))
    assert stored == 1


def test_a_token_of_an_unknown_account_is_refused_on_a_dropped_connection(app, client, make):
    """The retried load answers as the first would have: no such caller, 401."""
    patient = make.patient()
    headers = make.headers(patient)
    with app.app_context():
        from api.accounts.models import User
        from api.database import get_session

        session = get_session()
        session.get(User, patient).token_key = "another-key"
        session.commit()
    state(app).engine.dispose()
    assert client.get("/api/v1/catalogue-version").status_code in {200, 404}
    _drop_the_pooled_connection(app)
    refused = client.get("/api/v1/me", headers=headers)
    assert refused.status_code == 401
