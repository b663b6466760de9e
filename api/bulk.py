"""The statements behind every domain's bulk read (``api/<domain>/bulk.py``): the sync
pull feed pages a patient's rows by id and loads a page of them at once; progress and
reports ask on which local days a patient has rows. A domain names its own table; this
module names none.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload


def page_ids(
    db_session: Session, model: Any, *, patient_ids: list[int], after_id: int, limit: int
) -> list[int]:
    """The ids of the patients' rows of ``model`` after ``after_id``, in id order."""
    stmt = (
        select(model.id)
        .where(model.patient_id.in_(patient_ids), model.id > after_id)
        .order_by(model.id)
        .limit(limit)
    )
    return list(db_session.scalars(stmt))


def records_by_id(
    db_session: Session, model: Any, *, patient_ids: list[int], ids: list[int]
) -> dict[int, Any]:
    """The patients' rows of ``model`` among ``ids`` (others' are left out), by id, with
    their entries, items or events: one query per relationship, not one per row."""
    stmt = (
        select(model)
        .where(model.id.in_(ids), model.patient_id.in_(patient_ids))
        .options(selectinload("*"))
    )
    return {record.id: record for record in db_session.scalars(stmt).unique()}


def local_days(
    db_session: Session, model: Any, *, patient_id: int, first: dt.date, last: dt.date
) -> set[dt.date]:
    """The local dates from ``first`` to ``last`` on which the patient has a row of
    ``model``."""
    return set(
        db_session.scalars(
            select(model.local_date).where(
                model.patient_id == patient_id,
                model.local_date >= first,
                model.local_date <= last,
            )
        )
    )
