"""Helpers shared by the session, progress and outcome tests."""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from api.catalogue.models import Exercise
from api.database import get_session, utcnow
from api.sessions.models import ExerciseSession, SessionEntry

_ids = itertools.count(1)


def client_id() -> str:
    return f"test-session-{next(_ids):06d}"


def today(tz: str = "UTC") -> dt.date:
    return dt.datetime.now(ZoneInfo(tz)).date()


def iso(moment: dt.datetime) -> str:
    return moment.isoformat()


def entry(exercise: str = "chin-tuck", **fields) -> dict:
    return {"exercise": exercise, "sets_done": 2, "reps_done": 10, **fields}


def session_body(*entries: dict, started_at: dt.datetime | None = None, **fields) -> dict:
    started_at = started_at or utcnow() - dt.timedelta(minutes=30)
    body = {
        "client_id": client_id(),
        "started_at": iso(started_at),
        "ended_at": iso(started_at + dt.timedelta(minutes=20)),
        "entries": list(entries) or [entry()],
    }
    body.update(fields)
    return body


def log(client, headers, *entries: dict, **fields):
    return client.post("/api/v1/sessions", json=session_body(*entries, **fields), headers=headers)


def count(app, model) -> int:
    with app.app_context():
        return get_session().scalar(select(func.count()).select_from(model))


def insert_session(
    app,
    patient_id: int,
    local_date: dt.date,
    entries: list[dict],
    *,
    tz: str = "UTC",
    programme_id: int | None = None,
    created_at: dt.datetime | None = None,
) -> int:
    """A session written straight to the database (for history older than 7 days).
    ``entries``: dicts with exercise and optional programme_item, effort, pain_during."""
    started_at = dt.datetime.combine(local_date, dt.time(12, 0), ZoneInfo(tz))
    with app.app_context():
        session = get_session()
        slugs = {e["exercise"] for e in entries}
        rows = session.execute(select(Exercise.slug, Exercise.id).where(Exercise.slug.in_(slugs)))
        ids = {slug: exercise_id for slug, exercise_id in rows}
        row = ExerciseSession(
            patient_id=patient_id,
            client_id=client_id(),
            programme_id=programme_id,
            started_at=started_at,
            ended_at=started_at + dt.timedelta(minutes=20),
            local_date=local_date,
            advice=[],
            created_at=created_at or started_at,
        )
        for position, e in enumerate(entries):
            row.entries.append(
                SessionEntry(
                    position=position,
                    exercise_id=ids[e["exercise"]],
                    exercise_slug=e["exercise"],
                    programme_item_id=e.get("programme_item"),
                    sets_done=2,
                    reps_done=10,
                    effort=e.get("effort"),
                    pain_during=e.get("pain_during"),
                )
            )
        session.add(row)
        session.commit()
        return row.id
