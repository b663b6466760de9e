"""One round of every periodic job, as Celery beat runs it each minute and
``flask --app wsgi jobs tick`` runs it by hand.

Steps, each in short transactions of its own: give new patients their reminder
schedules; escalate overdue alerts; fire due reminders; send the 08:00 digests;
send every due push (new ones and retries); prune old delivery records. Any
number of rounds may run at once: claims and unique keys make each piece of
work happen once.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Flask
from sqlalchemy.orm import Session

from api.alerts.escalation import escalate_due
from api.database import state
from api.jobs import delivery
from api.notifications import alerting, reminders
from api.notifications.service import DEFER

BATCH = 100


def _session(app: Flask) -> Session:
    session = state(app).session_factory()
    session.info[DEFER] = True  # the round delivers what it creates itself
    return session


def run_round(app: Flask, *, now: dt.datetime) -> dict[str, Any]:
    """Run every periodic job once at ``now`` (inside an app context)."""
    counts: dict[str, Any] = {}
    counts["schedules_created"] = _repeat(
        app, lambda s: reminders.seed_missing(s, now=now, limit=BATCH)
    )
    config = app.config
    counts["escalated"] = _repeat(
        app,
        lambda s: len(
            escalate_due(
                db_session=s,
                now=now,
                emergency_minutes=config["ALERT_ESCALATE_EMERGENCY_MINUTES"],
                urgent_minutes=config["ALERT_ESCALATE_URGENT_MINUTES"],
                limit=BATCH,
            )
        ),
    )
    fired = 0

    def reminders_batch(session: Session) -> int:
        nonlocal fired
        claimed, created = reminders.fire_due(session, now=now, limit=BATCH)
        fired += created
        return claimed

    _repeat(app, reminders_batch)
    counts["reminders"] = fired
    with _session(app) as session:
        counts["digests"] = alerting.send_soon_digests(session, now=now)
        session.commit()
    push = app.extensions["upright.push"]
    counts["pushes"] = (
        delivery.deliver_due(lambda: _session(app), push.send, now=now) if push.enabled else {}
    )
    with _session(app) as session:
        counts["pruned"] = delivery.prune(session, now=now)
        session.commit()
    from api.sync import service as sync

    with _session(app) as session:
        days = config["SYNC_TOMBSTONE_DAYS"]
        counts["sync_pruned"] = sync.prune(db_session=session, days=days, now=now)
        session.commit()
    return counts


def _repeat(app: Flask, step) -> int:
    """Run ``step`` in its own transaction until it finds nothing more to do."""
    total = 0
    while True:
        with _session(app) as session:
            done = step(session)
            session.commit()
        total += done
        if done < BATCH:
            return total
