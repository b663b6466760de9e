"""The one authorisation policy: who may read or change whose data.

Rules:
- a patient reads and changes their own data only;
- a therapist reads a patient's data only while an active care link joins them,
  and each such read is written to the patient's access log;
- an administrator manages therapist accounts and sees no health data;
- anything that exists but is not yours answers 404, never 403.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, insert, select
from sqlalchemy.orm import Session

from api.accounts.models import AccessLogEntry, CareLink, Role, User
from api.database import utcnow
from api.errors import InvalidInput, NotFound


def is_linked(session: Session, *, therapist_id: int, patient_id: int) -> bool:
    stmt = select(
        exists().where(
            CareLink.therapist_id == therapist_id,
            CareLink.patient_id == patient_id,
            CareLink.ended_at.is_(None),
        )
    )
    return bool(session.scalar(stmt))


def linked_patient_ids_stmt(therapist_id: int):
    """A SELECT of the ids of a therapist's actively linked patients."""
    return select(CareLink.patient_id).where(
        CareLink.therapist_id == therapist_id, CareLink.ended_at.is_(None)
    )


def can_read_patient(session: Session, actor: User, patient_id: int) -> bool:
    if actor.role == Role.patient:
        return actor.id == patient_id
    if actor.role == Role.therapist:
        return is_linked(session, therapist_id=actor.id, patient_id=patient_id)
    return False


def readable_patient(
    session: Session,
    actor: User,
    patient_id: int,
    *,
    resource: str,
    resource_id: int | None = None,
    not_found: str = "Patient not found.",
) -> User:
    """The patient whose data ``actor`` asks for, or NotFound. Logs therapist reads."""
    patient = session.get(User, patient_id)
    if patient is None or patient.role != Role.patient:
        raise NotFound(not_found)
    if not can_read_patient(session, actor, patient_id):
        raise NotFound(not_found)
    if actor.role == Role.therapist:
        record_access(session, actor, patient_id, resource=resource, resource_id=resource_id)
    return patient


def readable_record(
    session: Session, actor: User, model: type, record_id: int, *, resource: str, label: str
):
    """A patient-owned row (anything with ``patient_id``) the actor may read, or NotFound.

    Therapist reads are written to the patient's access log.
    """
    not_found = f"{label} not found."
    record = session.get(model, record_id)
    if record is None:
        raise NotFound(not_found)
    readable_patient(
        session,
        actor,
        record.patient_id,
        resource=resource,
        resource_id=record.id,
        not_found=not_found,
    )
    return record


def patient_in_scope(
    session: Session,
    actor: User,
    patient_id: int | None,
    *,
    resource: str,
    missing: str = "Therapists must name a linked patient.",
) -> int:
    """Which patient a list request is about: a patient's own, or a therapist's linked one.

    Patients may omit ``patient_id`` (or give their own); therapists must name a
    linked patient (``missing`` says so). Anything else is 404.
    """
    return scoped_patient(session, actor, patient_id, resource=resource, missing=missing).id


def patient_filter(session: Session, actor: User, column, patient_id: int | None, *, resource: str):
    """The WHERE clause on ``column`` (a patient id column) of a list that may span
    patients: a patient's own rows, a named patient in scope (``patient_in_scope``), or,
    for a therapist naming none, every actively linked patient's."""
    if actor.role != Role.patient and patient_id is None:
        return column.in_(linked_patient_ids_stmt(actor.id))
    return column == patient_in_scope(session, actor, patient_id, resource=resource)


def log_reads(session: Session, actor: User, patient_ids: list[int], *, resource: str) -> None:
    """A therapist's read of several patients' data: one access-log row per patient."""
    if actor.role == Role.therapist and patient_ids:
        # One INSERT for the whole page (an ORM add per row sends one INSERT each where
        # the driver cannot return many ids in order, as on SQLite).
        session.execute(
            insert(AccessLogEntry),
            [
                {
                    "patient_id": patient_id,
                    "therapist_id": actor.id,
                    "therapist_name": actor.display_name,
                    "resource": resource,
                    "resource_id": None,
                }
                for patient_id in sorted(set(patient_ids))
            ],
        )


#: The rows of ``log_reads`` as a data-modifying CTE (PostgreSQL), in patient order, of the
#: therapist in ``hit (id, display_name)``, a relation of the statement it is sent with.
_LOG_READS_CTE = (
    f"INSERT INTO {AccessLogEntry.__tablename__} "
    "(patient_id, therapist_id, therapist_name, resource, resource_id, accessed_at) "
    "SELECT r.p, hit.id, hit.display_name, :log_resource, NULL, "
    "CAST(:log_at AS timestamptz) "
    "FROM unnest(CAST(:log_patients AS integer[])) WITH ORDINALITY AS r(p, n), hit "
    "ORDER BY r.n"
)


def log_reads_cte(patient_ids: tuple[int, ...], *, resource: str) -> tuple[str, dict[str, Any]]:
    """The rows of ``log_reads`` (``patient_ids`` not empty) as SQL for a PostgreSQL
    data-modifying CTE and its parameters, to send with a statement that gives the
    therapist as ``hit (id, display_name)`` (no row: nothing is written). The parameters
    are text: a list and a datetime cost the driver ten times more to adapt."""
    return _LOG_READS_CTE, {
        "log_resource": resource,
        "log_at": utcnow().isoformat(),
        "log_patients": "{" + ",".join(str(int(p)) for p in sorted(set(patient_ids))) + "}",
    }


def scoped_patient(
    session: Session,
    actor: User,
    patient_id: int | None,
    *,
    resource: str,
    missing: str = "Therapists must name a linked patient.",
    location: str = "query",
) -> User:
    """The patient of ``patient_in_scope``, as the row (``location``: where ``patient_id``
    came from, for the 422 when a therapist names none)."""
    if actor.role == Role.patient:
        if patient_id not in (None, actor.id):
            raise NotFound("Patient not found.")
        return actor
    if patient_id is None:
        raise InvalidInput({"patient_id": [missing]}, location=location)
    return readable_patient(session, actor, patient_id, resource=resource)


def own_record(
    session: Session,
    actor: User,
    model: type,
    record_id: int,
    *,
    label: str,
    owners: tuple[str, ...] = ("patient_id",),
):
    """A row that belongs to ``actor`` (one of its ``owners`` columns is the actor's id),
    or NotFound: changing your own data, where nobody else may act for you."""
    record = session.get(model, record_id)
    if record is None or actor.id not in {getattr(record, owner) for owner in owners}:
        raise NotFound(f"{label} not found.")
    return record


def record_access(
    session: Session,
    therapist: User,
    patient_id: int,
    *,
    resource: str,
    resource_id: int | None = None,
) -> None:
    session.add(
        AccessLogEntry(
            patient_id=patient_id,
            therapist_id=therapist.id,
            therapist_name=therapist.display_name,
            resource=resource,
            resource_id=resource_id,
        )
    )
