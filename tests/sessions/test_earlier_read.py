"""A new session's earlier sessions (with its programme, hold and check-ins) are read with
one statement, short enough for psycopg to keep it parsed: psycopg parses a longer query
again on every run (``psycopg._queries``: queries up to 4 kB are kept)."""

from __future__ import annotations

import datetime as dt

from psycopg._queries import MAX_CACHED_STATEMENT_LENGTH
from sqlalchemy.dialects import postgresql

from api.sessions import service


def test_a_session_of_ten_programme_exercises_is_read_with_a_statement_psycopg_keeps():
    dialect = postgresql.psycopg.dialect()
    names = service._EARLIER.compile(dialect=dialect).params
    values = {
        "patient_id": 1,
        "programme_id": 2,
        "client_id": "phone-0001",
        "started_at": dt.datetime.now(dt.UTC),
        "since": dt.date.today() - dt.timedelta(days=13),
        "local_date": dt.date.today(),
        # the IN lists of a session of ten exercises, each a programme item
        "slugs": [f"exercise-number-{n:02d}" for n in range(10)],
        "item_ids": list(range(100_000, 100_010)),
    }
    assert set(values) <= set(names)
    sql = str(
        service._EARLIER.params(values).compile(
            dialect=dialect, compile_kwargs={"render_postcompile": True}
        )
    )
    assert "exercise-number-09" not in sql and sql.count("%(slugs_") == 10  # rendered
    assert len(sql.encode()) <= MAX_CACHED_STATEMENT_LENGTH, len(sql)
