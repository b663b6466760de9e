"""Bulk reads of alerts, for the sync pull feed and the FHIR export (which map every
column; other needs go through ``service``'s typed reads)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, lazyload

from api import bulk
from api.alerts.models import Alert


def page_ids(
    db_session: Session, *, patient_ids: list[int], after_id: int, limit: int
) -> list[int]:
    """The ids of the patients' alerts after ``after_id``, in id order (sync pages)."""
    return bulk.page_ids(db_session, Alert, patient_ids=patient_ids, after_id=after_id, limit=limit)


def records_by_id(
    db_session: Session, *, patient_ids: list[int], ids: list[int]
) -> dict[int, Alert]:
    """The patients' alerts among ``ids``, by id, with their events."""
    return bulk.records_by_id(db_session, Alert, patient_ids=patient_ids, ids=ids)


def of_patient(db_session: Session, *, patient_id: int) -> list[Alert]:
    """All the patient's alerts, by creation, without their history (the FHIR export)."""
    return list(
        db_session.scalars(
            select(Alert)
            .where(Alert.patient_id == patient_id)
            .options(lazyload(Alert.events))  # the history is not exported: never loaded
            .order_by(Alert.created_at, Alert.id)
        )
    )


def ids_of(db_session: Session, *, patient_id: int) -> list[int]:
    """The ids of all the patient's alerts (a care link made or ended changes them all)."""
    return list(db_session.scalars(select(Alert.id).where(Alert.patient_id == patient_id)))
