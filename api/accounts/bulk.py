"""Bulk reads of care links and the access log, for the sync pull feed and the FHIR
export (which map every column; other needs go through ``care``'s typed reads)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from api import bulk
from api.accounts.models import AccessLogEntry, CareLink


def page_ids(
    db_session: Session, *, patient_ids: list[int], after_id: int, limit: int
) -> list[int]:
    """The ids of the patients' care links after ``after_id``, in id order (sync pages)."""
    return bulk.page_ids(
        db_session, CareLink, patient_ids=patient_ids, after_id=after_id, limit=limit
    )


def records_by_id(
    db_session: Session, *, patient_ids: list[int], ids: list[int]
) -> dict[int, CareLink]:
    """The patients' care links among ``ids``, by id, with both people."""
    return bulk.records_by_id(db_session, CareLink, patient_ids=patient_ids, ids=ids)


def links_of_patient(db_session: Session, *, patient_id: int) -> list[CareLink]:
    """All the patient's care links, ended ones too, by id (the FHIR export)."""
    return list(
        db_session.scalars(
            select(CareLink).where(CareLink.patient_id == patient_id).order_by(CareLink.id)
        )
    )


def access_log(db_session: Session, *, patient_id: int) -> list[AccessLogEntry]:
    """The patient's access log, oldest first (the data export and the FHIR export)."""
    return list(
        db_session.scalars(
            select(AccessLogEntry)
            .where(AccessLogEntry.patient_id == patient_id)
            .order_by(AccessLogEntry.accessed_at, AccessLogEntry.id)
        )
    )
