"""``DB_PREPARED_STATEMENTS`` (the suite's configuration): statements are prepared, and a
transaction that only read ends with COMMIT so psycopg keeps them; anything that wrote is
still rolled back, on both engines."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.checkins.models import CheckIn
from api.database import state


def _check_ins(engine, patient: int) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).where(CheckIn.patient_id == patient))


def test_a_prepared_statement_outlives_the_requests_that_only_read(app, make, client):
    """psycopg forgets a connection's prepared statements on every ROLLBACK; a read request
    ends its transaction with COMMIT instead, so the 6th run of its statements and the
    runs after it use the statement prepared once."""
    patient = make.patient()
    headers = make.headers(patient)
    engine = state(app).engine
    engine.dispose()  # one connection, reused by every request below
    for _ in range(8):
        assert client.get("/api/v1/me", headers=headers).status_code == 200
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            prepared = connection.exec_driver_sql(
                "SELECT count(*) FROM pg_prepared_statements WHERE NOT from_sql"
            ).scalar()
            assert prepared >= 1
            assert engine.pool.checkedout() == 1 and engine.pool.size() >= 1
        else:  # SQLite prepares nothing server-side: the requests answered, nothing else
            assert connection.exec_driver_sql("SELECT 1").scalar() == 1


def test_a_prepared_statement_is_planned_once_for_any_values(app, make, client):
    """With prepared statements, PostgreSQL plans a statement once for any values (a generic
    plan) rather than anew for each run's values: every run of the sign-in read after it
    was prepared, for two patients, used the one plan."""
    engine = state(app).engine
    patients = [make.patient(), make.patient()]
    engine.dispose()  # one connection, reused by every request below
    for round_ in range(8):
        headers = make.headers(patients[round_ % 2])
        me = client.get("/api/v1/me", headers=headers)
        assert me.status_code == 200 and me.json["id"] == patients[round_ % 2]
    if engine.dialect.name != "postgresql":
        return  # SQLite prepares nothing server-side: the requests answered, each its own
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SHOW plan_cache_mode").scalar() == "force_generic_plan"
        plans = connection.exec_driver_sql(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements "
            "WHERE NOT from_sql AND statement LIKE 'SELECT users.id%%'"
        ).all()
    assert plans and all(generic >= 1 and custom == 0 for generic, custom in plans)


def test_a_transaction_that_wrote_is_rolled_back_when_not_committed(app, make):
    patient = make.patient()
    engine = state(app).engine
    day = dt.date(2026, 1, 5)
    with Session(engine) as session:
        session.scalar(select(func.count()).select_from(CheckIn))  # a read first
        session.execute(insert(CheckIn).values(patient_id=patient, local_date=day, pain=3))
        session.scalar(select(func.count()).select_from(CheckIn))  # and a read after
    assert _check_ins(engine, patient) == 0


def test_a_write_inside_a_with_statement_is_rolled_back(app, make):
    """A ``WITH`` may carry an INSERT: such a statement is never taken for a read."""
    patient = make.patient()
    engine = state(app).engine
    with Session(engine) as session:
        session.execute(
            text(
                "WITH day AS (SELECT :patient AS patient, :day AS local_date) "
                "INSERT INTO check_ins (patient_id, local_date, pain, pain_areas, symptoms, "
                "triage_level, triage, created_at, updated_at) "
                "SELECT patient, local_date, 4, '[]', '[]', 'none', '{}', CURRENT_TIMESTAMP, "
                "CURRENT_TIMESTAMP FROM day"
            ),
            {"patient": patient, "day": dt.date(2026, 1, 6)},
        )
        assert session.scalar(select(func.count()).where(CheckIn.patient_id == patient)) == 1
    assert _check_ins(engine, patient) == 0


def test_a_transaction_in_error_is_rolled_back_and_the_connection_serves_again(app, make):
    patient = make.patient()
    engine = state(app).engine
    day = dt.date(2026, 1, 7)
    with Session(engine) as session:
        session.execute(insert(CheckIn).values(patient_id=patient, local_date=day, pain=3))
        session.commit()
    with Session(engine) as session, pytest.raises(IntegrityError):
        session.scalar(select(func.count()).select_from(CheckIn))
        session.execute(insert(CheckIn).values(patient_id=patient, local_date=day, pain=5))
    assert _check_ins(engine, patient) == 1
    with Session(engine) as session:
        assert session.scalar(select(CheckIn.pain).where(CheckIn.patient_id == patient)) == 3


def test_a_request_that_failed_after_writing_leaves_nothing(app, make, client):
    """A check-in for a day already logged answers 409: the read-then-write request's
    transaction is rolled back, not committed, with prepared statements on."""
    patient = make.patient()
    headers = make.headers(patient)
    body = {"date": dt.date.today().isoformat(), "pain": 3}
    for _ in range(7):  # past the 5 runs after which a statement is prepared
        client.get("/api/v1/me", headers=headers)
    assert client.post("/api/v1/check-ins", json=body, headers=headers).status_code == 201
    again = client.post("/api/v1/check-ins", json={**body, "pain": 9}, headers=headers)
    assert again.status_code == 409
    assert _check_ins(state(app).engine, patient) == 1
