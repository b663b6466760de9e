"""Query plans of the benchmarked endpoints, on a seeded database.

    python -m benchmarks.explain [--url URL] [--credentials benchmarks/.seed.json]

Each endpoint is called once through the app's test client while the SQL it sends is
recorded; every SELECT is then run again under ``EXPLAIN (ANALYZE, BUFFERS)`` (SQLite:
``EXPLAIN QUERY PLAN``) with the same parameters. The end of the report lists the
sequential scans on tables that grow with the number of patients.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import secrets
from pathlib import Path
from typing import Any

from sqlalchemy import event

from api.catalogue.models import CATALOGUE_TABLES
from benchmarks.requests_of import session_body
from benchmarks.seed import DEFAULT_OUT

#: Tables whose size does not depend on the number of patients.
FIXED_TABLES = {"alembic_version", *CATALOGUE_TABLES}


def _requests(credentials: dict[str, Any]) -> list[tuple[str, str, str, dict | None, str]]:
    """(name, method, path, body, role) of every endpoint the runner drives."""
    patient = credentials["patients"][0]
    started = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)).isoformat()
    session = session_body(
        patient, client_id=f"explain-{secrets.token_hex(6)}", started_at=started, sets_done=2
    )
    return [
        ("catalogue_list", "GET", "/api/v1/exercises?category=strengthening&equipment=none",
         None, ""),
        ("today", "GET", "/api/v1/me/today", None, "patient"),
        ("progress_90d", "GET", "/api/v1/me/progress", None, "patient"),
        ("therapist_patients", "GET", "/api/v1/patients", None, "therapist"),
        ("therapist_alerts", "GET", "/api/v1/alerts", None, "therapist"),
        ("check_in_post", "POST", "/api/v1/check-ins",
         {"pain": 4, "symptoms": ["night_pain"], "pain_onset": "usual"}, "patient"),
        ("session_post", "POST", "/api/v1/sessions", session, "patient"),
    ]  # fmt: skip


def explain_report(database_url: str, credentials: dict[str, Any]) -> str:
    """The plans of every SELECT the benchmarked endpoints send, as text."""
    from api import create_app
    from api.accounts.credentials import create_access_token
    from api.database import state

    secret = secrets.token_urlsafe(48)
    app = create_app(
        {"DATABASE_URL": database_url, "SECRET_KEY": secret, "RATELIMIT_ENABLED": False}
    )
    engine = state(app).engine
    postgres = engine.dialect.name == "postgresql"
    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if postgres else "EXPLAIN QUERY PLAN "
    captured: list[tuple[str, Any]] = []
    recording = {"on": False}

    def record(_conn, _cursor, statement, parameters, _context, executemany) -> None:
        if recording["on"] and not executemany:
            captured.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    tokens = {
        role: create_access_token(
            user_id=credentials[f"{role}s"][0]["id"],
            role=role,
            token_key=credentials[f"{role}s"][0]["token_key"],
            secret=secret,
            minutes=30,
        )
        for role in ("patient", "therapist")
    }
    client = app.test_client()
    out: list[str] = []
    seq_scans: dict[str, set[str]] = {}
    for name, method, path, body, role in _requests(credentials):
        captured.clear()
        recording["on"] = True
        headers = {"Authorization": f"Bearer {tokens[role]}"} if role else {}
        response = client.open(path, method=method, json=body, headers=headers)
        recording["on"] = False
        out.append(f"===== {name}: {method} {path} -> {response.status_code}")
        seen: set[str] = set()
        for statement, parameters in captured:
            if not statement.lstrip().upper().startswith("SELECT") or statement in seen:
                continue
            seen.add(statement)
            with engine.connect() as connection:
                rows = connection.exec_driver_sql(prefix + statement, parameters).all()
                connection.rollback()
            plan = "\n".join(
                " | ".join(str(v) for v in row) if not postgres else str(row[0]) for row in rows
            )
            out += ["", "-- " + " ".join(statement.split()), plan]
            for table in _seq_scans(plan, postgres):
                seq_scans.setdefault(table, set()).add(name)
        out.append("")
    engine.dispose()
    out.append("===== Sequential scans on tables that grow with the number of patients")
    growing = {t: names for t, names in seq_scans.items() if t not in FIXED_TABLES}
    out += [f"{table}: {', '.join(sorted(names))}" for table, names in sorted(growing.items())]
    if not growing:
        out.append("none")
    return "\n".join(out) + "\n"


def _seq_scans(plan: str, postgres: bool) -> set[str]:
    if postgres:
        return set(re.findall(r"Seq Scan on (\w+)", plan))
    return set(re.findall(r"\bSCAN (\w+)(?!\s+USING)", plan))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.explain", description=__doc__)
    parser.add_argument("--url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--credentials", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    if not args.url:
        parser.error("set DATABASE_URL or pass --url")
    credentials = json.loads(args.credentials.read_text(encoding="utf-8"))
    print(explain_report(args.url, credentials), end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
