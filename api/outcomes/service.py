"""Outcome measures: record a questionnaire with its score; list; change over time."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from api.accounts.models import User
from api.errors import InvalidInput
from api.outcomes import scoring
from api.outcomes.models import OutcomeScore
from api.timeutil import local_today

MAX_DAYS_BACK = 365


def create(*, db_session: Session, patient: User, data: dict[str, Any]) -> OutcomeScore:
    today = local_today(patient.timezone)
    completed_on = data.get("completed_on") or today
    if completed_on > today:
        raise InvalidInput({"completed_on": ["A questionnaire cannot be completed in the future."]})
    if completed_on < today - dt.timedelta(days=MAX_DAYS_BACK):
        raise InvalidInput({"completed_on": [f"At most {MAX_DAYS_BACK} days back."]})
    instrument, answers = data["instrument"], data["answers"]
    if instrument == "ndi":
        answers = {item: answers.get(item) for item in scoring.NDI_ITEMS}
    try:
        result = scoring.score(instrument, answers)
    except scoring.TooManyUnanswered as error:
        raise InvalidInput({"answers": [str(error)]}, str(error)) from error
    outcome = OutcomeScore(
        patient_id=patient.id,
        instrument=instrument,
        answers=answers,
        completed_on=completed_on,
        **result,
    )
    db_session.add(outcome)
    db_session.flush()
    return outcome


def list_stmt(patient_id: int, instrument: str | None) -> Select:
    stmt = select(OutcomeScore).where(OutcomeScore.patient_id == patient_id)
    if instrument:
        stmt = stmt.where(OutcomeScore.instrument == instrument)
    return stmt.order_by(OutcomeScore.completed_on.desc(), OutcomeScore.id.desc())


def summary(scores: list[OutcomeScore]) -> dict[str, Any]:
    """Per instrument: each score labelled against the first one, and the overall change
    (first to latest; for the PSFS with the activities that moved 3 points or more).
    ``scores`` must be in the order they were completed."""
    by_instrument: dict[str, list[OutcomeScore]] = {}
    for outcome in scores:
        by_instrument.setdefault(outcome.instrument, []).append(outcome)
    result = {}
    for instrument, rows in sorted(by_instrument.items()):
        first, latest = rows[0], rows[-1]
        result[instrument] = {
            "scores": [
                {
                    "id": row.id,
                    "completed_on": row.completed_on.isoformat(),
                    "score": row.score,
                    "percent": row.percent,
                    "band": row.band,
                    "change_from_first": None
                    if row is first
                    else scoring.change(instrument, first.score, row.score),
                }
                for row in rows
            ],
            "change": None
            if len(rows) < 2
            else {
                "first": first.score,
                "latest": latest.score,
                "difference": round(latest.score - first.score, 2),
                "label": scoring.change(instrument, first.score, latest.score),
                "detectable_activity_changes": scoring.detectable_activity_changes(
                    first.answers, latest.answers
                )
                if instrument == "psfs"
                else None,
                **scoring.interpretation(instrument),
            },
        }
    return result


def progress_summary(
    db_session: Session, patient_id: int, first: dt.date, last: dt.date
) -> dict[str, Any]:
    """``summary`` of the scores completed from ``first`` to ``last`` (for progress)."""
    scores = db_session.scalars(
        select(OutcomeScore)
        .where(
            OutcomeScore.patient_id == patient_id,
            OutcomeScore.completed_on >= first,
            OutcomeScore.completed_on <= last,
        )
        .order_by(OutcomeScore.completed_on, OutcomeScore.id)
    ).all()
    return summary(list(scores))


def _export(db_session: Session, user: User) -> list[OutcomeScore]:
    """Dumped by ``ExportOutcomeSchema``: answers and scores as kept, no interpretation."""
    return list(
        db_session.scalars(
            select(OutcomeScore)
            .where(OutcomeScore.patient_id == user.id)
            .order_by(OutcomeScore.completed_on, OutcomeScore.id)
        )
    )
