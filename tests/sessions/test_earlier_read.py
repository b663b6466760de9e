"""A new session's earlier sessions (with its programme, hold and check-ins) are read with
one statement, short enough for psycopg to keep it parsed: psycopg parses a longer query
again on every run (``psycopg._queries``: queries up to 4 kB are kept)."""

from __future__ import annotations

import datetime as dt

from psycopg._queries import MAX_CACHED_STATEMENT_LENGTH
from sqlalchemy.dialects import postgresql

from api.sessions import service


def test_a_session_of_ten_programme_exercises_is_read_with_a_statement_psycopg_keeps():
    """The statement's text is the same whatever the number of exercises (each list is one
    array parameter), and short enough to be kept."""
    dialect = postgresql.psycopg.dialect()
    names = service._EARLIER.compile(dialect=dialect).params
    values = {
        "patient_id": 1,
        "programme_id": 2,
        "client_id": "phone-0001",
        "started_at": dt.datetime.now(dt.UTC),
        "since": dt.date.today() - dt.timedelta(days=13),
        "local_date": dt.date.today(),
        "slugs": [f"exercise-number-{n:02d}" for n in range(10)],
        "item_ids": list(range(100_000, 100_010)),
    }
    assert set(values) <= set(names)
    for prebuilt in (service._EARLIER_RUN, service._EARLIER_WITHOUT_HISTORY_RUN):
        sql = prebuilt.sql(dialect)
        assert "= ANY(CAST(%(item_ids)s AS INTEGER[]))" in sql
        assert len(sql.encode()) <= MAX_CACHED_STATEMENT_LENGTH, len(sql)
    assert "= ANY(CAST(%(slugs)s AS VARCHAR(80)[]))" in service._EARLIER_RUN.sql(dialect)
    assert "%(slugs)s" not in service._EARLIER_WITHOUT_HISTORY_RUN.sql(dialect)
