"""Views of a person that combine several domains (profile + hold + alerts).

Accounts sit below alerts, so the hold and the alert counts come from a *safety
source* that the alerts domain registers at start-up (``alerts.register()``):
accounts names what it needs (``HoldView``, ``PatientSafety``) and never imports alerts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row
from sqlalchemy.orm import Session

from api.accounts.care import linked_since
from api.accounts.models import User
from api.accounts.schemas import ExportProfileSchema


@dataclass(frozen=True)
class HoldView:
    """The ``exercise_hold`` object of ``GET /me`` and ``GET /patients``
    (``ExerciseHoldSchema``): ``NO_HOLD`` while exercise is not paused."""

    active: bool
    since: dt.datetime | None
    level: str | None
    reason: str | None


NO_HOLD = HoldView(active=False, since=None, level=None, reason=None)


@dataclass(frozen=True)
class PatientSafety:
    open_alerts: int = 0
    highest_open_level: str | None = None
    hold: HoldView | None = None


@dataclass(frozen=True)
class SafetySource:
    hold: Callable[[Session, int], HoldView | None]
    patients: Callable[[Session, list[int]], dict[int, PatientSafety]]


_safety: list[SafetySource] = []


def register_safety_source(source: SafetySource) -> None:
    _safety[:] = [source]


def _source() -> SafetySource:
    if not _safety:
        raise RuntimeError("No safety source: create_app() registers the alerts domain's.")
    return _safety[0]


def hold_status(session: Session, user: User) -> HoldView:
    return _source().hold(session, user.id) or NO_HOLD


#: The profile's fields, read once (building the schema on every ``GET /me`` cost more
#: than a tenth of its time).
_PROFILE_FIELDS = tuple(ExportProfileSchema().fields)


def profile_with_hold(session: Session, user: User) -> dict[str, Any]:
    """The user's values for ``ProfileSchema``, which dumps them, with the exercise hold."""
    body = {name: getattr(user, name) for name in _PROFILE_FIELDS}
    body["exercise_hold"] = hold_status(session, user)
    return body


def patient_profile(session: Session, therapist: User, patient: User) -> dict[str, Any]:
    body = profile_with_hold(session, patient)
    body["linked_since"] = linked_since(session, therapist_id=therapist.id, patient_id=patient.id)
    return body


def patient_summaries(session: Session, rows: list[Row]) -> list[dict[str, Any]]:
    """One page of a therapist's patients, with alert counts (two queries in all)."""
    safety = _source().patients(session, [user.id for user, _ in rows])
    summaries = []
    for user, since in rows:
        status = safety.get(user.id, PatientSafety())
        summaries.append(
            {
                "id": user.id,
                "display_name": user.display_name,
                "email": user.email,
                "linked_since": since,
                "open_alerts": status.open_alerts,
                "highest_open_level": status.highest_open_level,
                "exercise_hold": status.hold or NO_HOLD,
            }
        )
    return summaries
