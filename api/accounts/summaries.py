"""Views of a person that combine several domains (profile + hold + alerts)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row
from sqlalchemy.orm import Session

from api.accounts.care import linked_since
from api.accounts.models import User
from api.accounts.schemas import ExportProfileSchema


def hold_status(session: Session, user: User) -> dict[str, Any]:
    from api.alerts.service import active_hold

    return hold_dict(active_hold(session, user.id))


def hold_dict(hold: Any) -> dict[str, Any]:
    """The ``exercise_hold`` object of ``GET /me`` and ``GET /patients``."""
    if hold is None:
        return {"active": False, "since": None, "level": None, "reason": None}
    return {"active": True, "since": hold.placed_at, "level": hold.level, "reason": hold.reason}


def profile_with_hold(session: Session, user: User) -> dict[str, Any]:
    """The user's values for ``ProfileSchema``, which dumps them, with the exercise hold."""
    body = {name: getattr(user, name) for name in ExportProfileSchema().fields}
    body["exercise_hold"] = hold_status(session, user)
    return body


def patient_profile(session: Session, therapist: User, patient: User) -> dict[str, Any]:
    body = profile_with_hold(session, patient)
    body["linked_since"] = linked_since(session, therapist_id=therapist.id, patient_id=patient.id)
    return body


def patient_summaries(session: Session, rows: list[Row]) -> list[dict[str, Any]]:
    """One page of a therapist's patients, with alert counts (two queries in all)."""
    from api.alerts.service import holds_for, open_alert_summary
    from api.triage import LEVELS

    ids = [user.id for user, _ in rows]
    alerts = open_alert_summary(session, ids)
    holds = holds_for(session, ids)
    summaries = []
    for user, since in rows:
        count, rank = alerts.get(user.id, (0, None))
        summaries.append(
            {
                "id": user.id,
                "display_name": user.display_name,
                "email": user.email,
                "linked_since": since,
                "open_alerts": count,
                "highest_open_level": LEVELS[rank] if rank is not None else None,
                "exercise_hold": hold_dict(holds.get(user.id)),
            }
        )
    return summaries
