"""Bulk reads of exercise sessions, for the sync pull feed and the FHIR export (which map every
column; other needs go through ``service``'s typed reads)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from api import bulk
from api.sessions.models import ExerciseSession


def page_ids(
    db_session: Session, *, patient_ids: list[int], after_id: int, limit: int
) -> list[int]:
    """The ids of the patients' exercise sessions after ``after_id``, in id order (sync pages)."""
    return bulk.page_ids(
        db_session, ExerciseSession, patient_ids=patient_ids, after_id=after_id, limit=limit
    )


def records_by_id(
    db_session: Session, *, patient_ids: list[int], ids: list[int]
) -> dict[int, ExerciseSession]:
    """The patients' exercise sessions among ``ids``, by id, with their entries."""
    return bulk.records_by_id(db_session, ExerciseSession, patient_ids=patient_ids, ids=ids)


def of_patient(db_session: Session, *, patient_id: int) -> list[ExerciseSession]:
    """All the patient's exercise sessions, by start (the FHIR export)."""
    return list(
        db_session.scalars(
            select(ExerciseSession)
            .where(ExerciseSession.patient_id == patient_id)
            .order_by(ExerciseSession.started_at, ExerciseSession.id)
        )
    )
