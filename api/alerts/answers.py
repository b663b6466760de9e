"""What a kept alert list (api/answers.py) needs beyond the change feed: when a
``link_ended`` notice leaves a therapist's list, and the access-log rows a hit repeats."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from flask import request
from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from api.accounts import care
from api.accounts.models import Role, User
from api.alerts.models import AlertEvent
from api.alerts.service import LINK_ENDED_DAYS
from api.database import utcnow
from api.policy import log_reads, log_reads_cte


def kept_for(role: Role) -> bool:
    """A named patient's list logs that patient's read on its own path: not kept."""
    return role == Role.patient or "patient_id" not in request.args


def notices_end(session: Session, user: User, _body: bytes) -> dt.datetime | None:
    """When the first of the therapist's ``link_ended`` notices (listed or counted) leaves
    the list, LINK_ENDED_DAYS after its link ended (one statement, on a miss)."""
    if user.role != Role.therapist:
        return None
    window = dt.timedelta(days=LINK_ENDED_DAYS)
    links = care.ended_by_patient_stmt(user.id, utcnow() - window).subquery()
    alert_was_open = exists().where(
        AlertEvent.care_link_id == links.c.id, AlertEvent.action == "link_ended"
    )
    first = session.scalar(select(func.min(links.c.ended_at)).where(alert_was_open))
    if first is None:
        return None
    if first.tzinfo is None:  # SQLite hands back naive UTC
        first = first.replace(tzinfo=dt.UTC)
    return first + window


def patients_read(user: User, body: bytes) -> tuple[int, ...]:
    """The patients whose alerts the answer shows, each logged once per read."""
    if user.role != Role.therapist:
        return ()
    entries: list[dict[str, Any]] = json.loads(body)
    return tuple(sorted({e["patient_id"] for e in entries if e["kind"] == "alert"}))


def log_again(session: Session, user: User, patient_ids: tuple[int, ...]) -> None:
    """The access-log rows of the list, as its miss wrote them, committed."""
    log_reads(session, user, list(patient_ids), resource="alerts")
    session.commit()


def log_along(patient_ids: tuple[int, ...]) -> tuple[str, dict[str, Any]]:
    """On PostgreSQL, the access-log rows of ``log_again`` as a write sent with the check
    of the kept list (api/sync/watermark.py), made only when the list is served again."""
    return log_reads_cte(patient_ids, resource="alerts")
