"""Helpers shared by the session, progress and outcome tests."""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from api.catalogue.models import Exercise
from api.database import get_session, utcnow
from api.sessions.models import ExerciseSession, SessionEntry
from api.timeutil import local_today
from tests import factories

_ids = itertools.count(1)


def client_id() -> str:
    return f"test-session-{next(_ids):06d}"


def today(tz: str | None = None) -> dt.date:
    """Today where the patient is (default: where new test patients live)."""
    return local_today(tz or factories.PATIENT_TIMEZONE)


def local_time(day: dt.date, hour: int = 0, tz: str | None = None) -> dt.datetime:
    """``hour``:00 on ``day`` where the patient is (default: where new test patients live)."""
    return dt.datetime.combine(day, dt.time(hour), ZoneInfo(tz or factories.PATIENT_TIMEZONE))


def iso(moment: dt.datetime) -> str:
    return moment.isoformat()


def entry(exercise: str = "chin-tuck", **fields) -> dict:
    return {"exercise": exercise, "sets_done": 2, "reps_done": 10, **fields}


def session_body(
    *entries: dict, started_at: dt.datetime | None = None, tz: str | None = None, **fields
) -> dict:
    """A session body. By default it started 30 minutes ago, but never before local
    midnight (so that it is today's, even at 00:10), and it has ended by now."""
    if started_at is None:
        now = utcnow()
        started_at = max(now - dt.timedelta(minutes=30), local_time(today(tz), tz=tz))
        ended_at = min(started_at + dt.timedelta(minutes=20), now)
    else:
        ended_at = started_at + dt.timedelta(minutes=20)
    body = {
        "client_id": client_id(),
        "started_at": iso(started_at),
        "ended_at": iso(ended_at),
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
    tz: str | None = None,
    programme_id: int | None = None,
    created_at: dt.datetime | None = None,
) -> int:
    """A session written straight to the database (for history older than 7 days).
    ``entries``: dicts with exercise and optional programme_item, effort, pain_during."""
    started_at = local_time(local_date, 12, tz)
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
