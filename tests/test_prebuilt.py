"""``api.database.Prebuilt``: a statement built once, run on PostgreSQL on the driver's own
cursor. It answers as SQLAlchemy would on both engines: the same rows and values, the
same errors, and the engine's statement listeners still see it."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import bindparam, event, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.checkins.models import CheckIn
from api.database import Prebuilt, state

_c = CheckIn.__table__.c
BY_DATES = Prebuilt(
    select(_c.id, _c.local_date, _c.pain, _c.symptoms, _c.triage, _c.created_at)
    .where(
        _c.patient_id == bindparam("patient_id"), _c.pain.in_(bindparam("pains", expanding=True))
    )
    .order_by(_c.local_date)
)
INSERT = Prebuilt(
    insert(CheckIn.__table__)
    .values(
        patient_id=bindparam("patient_id"),
        local_date=bindparam("local_date"),
        pain=bindparam("pain"),
        pain_areas=bindparam("pain_areas"),
        symptoms=bindparam("symptoms"),
        triage_level=bindparam("triage_level"),
        triage=bindparam("triage"),
        created_at=bindparam("created_at"),
        updated_at=bindparam("created_at"),
    )
    .returning(_c.id)
)
MOMENT = dt.datetime(2026, 3, 1, 12, 30, tzinfo=dt.timezone(dt.timedelta(hours=2)))


def _write(session: Session, patient: int, day: int, pain: int) -> int:
    [(check_in_id,)] = INSERT.rows(
        session.connection(),
        {
            "patient_id": patient,
            "local_date": dt.date(2026, 3, day),
            "pain": pain,
            "pain_areas": ["upper_back"],
            "symptoms": ["night_pain"] if pain > 5 else [],
            "triage_level": "none",
            "triage": {"level": "none", "rules": []},
            "created_at": MOMENT,
        },
    )
    return check_in_id


@pytest.mark.parametrize("pains", [[], [3], [3, 7, 9]], ids=["none", "one", "three"])
def test_the_rows_are_sqlalchemys_for_any_number_of_listed_values(app, make, pains):
    patient = make.patient()
    with Session(state(app).engine) as session:
        ids = [_write(session, patient, day, pain) for day, pain in ((1, 3), (2, 7), (3, 5))]
        session.commit()
        connection = session.connection()
        got = [
            tuple(row) for row in BY_DATES.rows(connection, {"patient_id": patient, "pains": pains})
        ]
        expected = [
            tuple(row)
            for row in connection.execute(
                BY_DATES.statement, {"patient_id": patient, "pains": pains}
            )
        ]
    assert got == expected
    assert [row[0] for row in got] == [
        i for i, pain in zip(ids, (3, 7, 5), strict=True) if pain in pains
    ]
    for _, _, pain, symptoms, triage, created_at in got:
        assert symptoms == (["night_pain"] if pain > 5 else [])
        assert triage == {"level": "none", "rules": []}
        assert created_at == MOMENT and created_at.tzinfo == dt.UTC  # stored and read as UTC


def test_the_sql_is_the_same_for_any_list_and_the_listeners_see_each_run(app, make):
    engine = state(app).engine
    patient = make.patient()
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        if not statement.startswith("BEGIN"):  # SQLite's own, as a transaction starts
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        with Session(engine) as session:
            for pains in ([], [1], [1, 2, 3, 4]):
                BY_DATES.rows(session.connection(), {"patient_id": patient, "pains": pains})
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert len(seen) == 3
    if engine.dialect.name == "postgresql":  # one text: prepared once, planned once
        assert len(set(seen)) == 1 and seen[0] == BY_DATES.sql(engine.dialect)
        assert "= ANY(CAST(%(pains)s AS SMALLINT[]))" in seen[0]


def test_a_broken_constraint_is_sqlalchemys_integrity_error_and_nothing_is_written(app, make):
    patient = make.patient()
    engine = state(app).engine
    with Session(engine) as session:
        _write(session, patient, 1, 3)
        session.commit()
        with pytest.raises(IntegrityError):
            _write(session, patient, 1, 4)  # a second check-in on the same day
        session.rollback()
        _write(session, patient, 2, 4)  # the session goes on after the rollback
        session.commit()
    with Session(engine) as session:
        pains = session.scalars(
            select(CheckIn.pain).where(CheckIn.patient_id == patient).order_by(CheckIn.local_date)
        ).all()
        assert pains == [3, 4]
        assert session.scalar(select(func.count()).where(CheckIn.patient_id == patient)) == 2


def test_a_statement_rendered_at_each_run_is_refused(app, make):
    """A statement whose SQL would change from run to run (a value rendered into it) cannot
    be kept as one text; elsewhere SQLAlchemy runs it."""
    engine = state(app).engine
    patient = make.patient()
    rendered = Prebuilt(
        select(_c.id).where(
            _c.patient_id == bindparam("patient_id"),
            _c.pain == bindparam("pain", 3, literal_execute=True),
        )
    )
    if engine.dialect.name == "postgresql":
        with pytest.raises(ValueError, match="rendered at run time"):
            rendered.sql(engine.dialect)
        return
    with Session(engine) as session:
        check_in_id = _write(session, patient, 1, 3)
        assert [
            tuple(row) for row in rendered.rows(session.connection(), {"patient_id": patient})
        ] == [(check_in_id,)]


def test_a_statement_with_python_side_defaults_is_refused(app, make):
    """SQLAlchemy works out a column's Python default (here the empty lists and the level
    "none") at each run: on PostgreSQL such an INSERT would store nulls, so it is refused;
    elsewhere SQLAlchemy runs it, defaults included."""
    engine = state(app).engine
    patient = make.patient()
    defaults = Prebuilt(
        insert(CheckIn.__table__)
        .values(patient_id=bindparam("patient_id"), local_date=dt.date(2026, 3, 1), pain=1)
        .returning(_c.id)
    )
    if engine.dialect.name == "postgresql":
        with pytest.raises(ValueError, match="Python-side column defaults"):
            defaults.sql(engine.dialect)
        return
    with Session(engine) as session:
        [(check_in_id,)] = defaults.rows(session.connection(), {"patient_id": patient})
        stored = session.get_one(CheckIn, check_in_id)
        assert (stored.pain_areas, stored.symptoms, stored.triage_level) == ([], [], "none")
