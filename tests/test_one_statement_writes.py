"""A check-in or a session whose write is one statement runs without a transaction around
it on PostgreSQL (autocommit: no BEGIN or COMMIT round trips); a check-in that raises
alerts writes itself, its alerts and its hold in one transaction on every engine, so that
nothing is half-written when one of them fails."""

from __future__ import annotations

import pytest
from sqlalchemy import event, func, select

from api.alerts import service as alerts
from api.alerts.models import Alert, ExerciseHold
from api.checkins.models import CheckIn
from api.database import get_session, state, writes_together
from api.sessions.models import ExerciseSession, PainNotice, SessionEntry
from tests.sessions.helpers import entry, session_body


def _on_postgresql(app) -> bool:
    return state(app).engine.dialect.name == "postgresql"


@pytest.fixture
def statements(app):
    """(what each statement sent does: INSERT when it writes, else its first word; whether
    it ran in autocommit), from now on."""
    seen: list[tuple[str, bool]] = []

    def record(conn, _cursor, statement, _params, _context, _many):
        autocommit = conn.get_execution_options().get("isolation_level") == "AUTOCOMMIT"
        kind = "INSERT" if "INSERT INTO" in statement else statement.split(None, 1)[0].upper()
        seen.append((kind, autocommit))

    engine = state(app).engine
    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


def count(app, model) -> int:
    with app.app_context():
        return get_session().scalar(select(func.count()).select_from(model))


def test_an_ordinary_check_in_and_a_session_run_in_autocommit_on_postgresql(
    app, client, make, statements
):
    headers = make.headers(make.patient(country="GB", birth_year=1980))
    statements.clear()
    response = client.post("/api/v1/check-ins", json={"pain": 3}, headers=headers)
    assert response.status_code == 201 and response.get_json()["triage"]["level"] == "none"
    logged = client.post(
        "/api/v1/sessions", json=session_body(entry(pain_during=8), entry()), headers=headers
    )
    assert logged.status_code == 201
    assert [a["kind"] for a in logged.get_json()["advice"]] == ["reduce_dose"]  # pain 8/10
    if _on_postgresql(app):
        # the caller, the history, the INSERT; then reads (the first session also reads
        # the catalogue's exercises, kept from then on) and the session's INSERT
        words = [word for word, _ in statements]
        assert words[:3] == ["SELECT", "SELECT", "INSERT"]
        assert "INSERT" not in words[3:-1] and words[-1] == "INSERT"
        assert all(autocommit for _, autocommit in statements)
    else:  # SQLite: a record and its change row are two statements, in a transaction
        assert not any(autocommit for _, autocommit in statements)
    # what was written is all there: the check-in, the session, its 2 entries, the notice
    assert [count(app, m) for m in (CheckIn, ExerciseSession, SessionEntry, PainNotice)] == [
        1,
        1,
        2,
        1,
    ]


def test_a_check_in_raising_alerts_writes_them_in_one_transaction(app, client, make, statements):
    headers = make.headers(make.patient(country="GB", birth_year=1980))
    statements.clear()
    response = client.post(
        "/api/v1/check-ins", json={"pain": 6, "symptoms": ["fever"]}, headers=headers
    )
    assert response.status_code == 201 and response.get_json()["triage"]["pause_exercise"]
    writes = [i for i, (word, _) in enumerate(statements) if word == "INSERT"]
    # from the check-in's INSERT on, every statement is in the transaction
    assert not any(autocommit for _, autocommit in statements[writes[0] :])
    if _on_postgresql(app):  # the reads before it ran in autocommit
        assert all(autocommit for _, autocommit in statements[: writes[0]])
    assert (count(app, Alert), count(app, ExerciseHold)) == (1, 1)


def test_a_failed_hold_leaves_neither_the_check_in_nor_its_alert(app, client, make, monkeypatch):
    headers = make.headers(make.patient(country="GB", birth_year=1980))

    def fails(**_kwargs):
        raise RuntimeError("the hold could not be written")

    monkeypatch.setattr(alerts, "place_hold", fails)
    failed = client.post(
        "/api/v1/check-ins", json={"pain": 6, "symptoms": ["fever"]}, headers=headers
    )
    assert failed.status_code == 500
    assert [count(app, m) for m in (CheckIn, Alert, ExerciseHold)] == [0, 0, 0]
    # and the patient can check in again, as if nothing had happened
    again = client.post("/api/v1/check-ins", json={"pain": 2}, headers=headers)
    assert again.status_code == 201


def test_writes_together_comes_before_the_first_write(app, make):
    patient = make.patient()
    with app.test_request_context():
        from flask import g

        g.one_statement_writes = True
        session = get_session()
        on_postgresql = _on_postgresql(app)
        assert (session.bind is state(app).autocommit_engine) is on_postgresql
        session.add(CheckIn(patient_id=patient, local_date=None, pain=1))
        if on_postgresql:
            with pytest.raises(RuntimeError, match="before the first write"):
                writes_together(session)
        else:  # no autocommit: already one transaction, nothing to do
            writes_together(session)
        session.expunge_all()
        writes_together(session)
        assert session.bind is state(app).engine
