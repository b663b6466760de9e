"""Views of a person that combine several domains (profile + hold + alerts)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row
from sqlalchemy.orm import Session

from api.accounts.care import linked_since
from api.accounts.models import User
from api.accounts.service import profile_dict


def hold_status(session: Session, user: User) -> dict[str, Any]:
    return {"active": False, "since": None, "level": None, "reason": None}


def profile_with_hold(session: Session, user: User) -> dict[str, Any]:
    body = profile_dict(user)
    body["created_at"] = user.created_at
    body["exercise_hold"] = hold_status(session, user)
    return body


def patient_profile(session: Session, therapist: User, patient: User) -> dict[str, Any]:
    body = profile_with_hold(session, patient)
    body["linked_since"] = linked_since(session, therapist_id=therapist.id, patient_id=patient.id)
    return body


def patient_summaries(session: Session, rows: list[Row]) -> list[dict[str, Any]]:
    return [
        {
            "id": user.id,
            "display_name": user.display_name,
            "email": user.email,
            "linked_since": since,
            "open_alerts": 0,
            "highest_open_level": None,
            "exercise_hold": False,
        }
        for user, since in rows
    ]
