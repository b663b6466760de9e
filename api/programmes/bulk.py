"""Bulk reads of programmes, for the sync pull feed and the FHIR export (which map every
column; other needs go through ``service``'s typed reads)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from api import bulk
from api.programmes.models import Programme, ProgrammeVersion


def page_ids(
    db_session: Session, *, patient_ids: list[int], after_id: int, limit: int
) -> list[int]:
    """The ids of the patients' programmes after ``after_id``, in id order (sync pages)."""
    return bulk.page_ids(
        db_session, Programme, patient_ids=patient_ids, after_id=after_id, limit=limit
    )


def records_by_id(
    db_session: Session, *, patient_ids: list[int], ids: list[int]
) -> dict[int, Programme]:
    """The patients' programmes among ``ids``, by id, with their versions and items."""
    return bulk.records_by_id(db_session, Programme, patient_ids=patient_ids, ids=ids)


def of_patient(db_session: Session, *, patient_id: int) -> list[Programme]:
    """All the patient's programmes, by id, with their versions and items (the FHIR export)."""
    return list(
        db_session.scalars(
            select(Programme)
            .where(Programme.patient_id == patient_id)
            .options(selectinload(Programme.versions).selectinload(ProgrammeVersion.items))
            .order_by(Programme.id)
        )
    )
