"""Bulk reads of outcome scores, for the sync pull feed and the FHIR export (which map every
column; other needs go through ``service``'s typed reads)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from api import bulk
from api.outcomes.models import OutcomeScore


def page_ids(
    db_session: Session, *, patient_ids: list[int], after_id: int, limit: int
) -> list[int]:
    """The ids of the patients' outcome scores after ``after_id``, in id order (sync pages)."""
    return bulk.page_ids(
        db_session, OutcomeScore, patient_ids=patient_ids, after_id=after_id, limit=limit
    )


def records_by_id(
    db_session: Session, *, patient_ids: list[int], ids: list[int]
) -> dict[int, OutcomeScore]:
    """The patients' outcome scores among ``ids``, by id."""
    return bulk.records_by_id(db_session, OutcomeScore, patient_ids=patient_ids, ids=ids)


def of_patient(db_session: Session, *, patient_id: int) -> list[OutcomeScore]:
    """All the patient's outcome scores, by the day completed (the FHIR export)."""
    return list(
        db_session.scalars(
            select(OutcomeScore)
            .where(OutcomeScore.patient_id == patient_id)
            .order_by(OutcomeScore.completed_on, OutcomeScore.id)
        )
    )
