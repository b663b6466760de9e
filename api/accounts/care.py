"""Care links: a therapist invites, a patient accepts, either side may end it.

The read API for other domains (they never query ``care_links`` themselves): who is
linked to whom (``has_active_therapist``, ``therapist_ids_of``, ``patient_ids_of``,
``linked_since``), the statements that let a list page or a job select by care link in
one query (``therapists_of_stmt``, ``ever_linked_stmt``, ``ended_by_patient_stmt``,
``links_by_id_stmt``), and the ``on_link_ended`` hook, whose listeners receive an
``EndedLink``. Bulk reads of whole rows (sync, FHIR) are in ``bulk``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Exists, Select, exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from api.accounts import credentials
from api.accounts.models import CareInvite, CareLink, Role, User
from api.database import utcnow
from api.errors import Conflict, InvalidInput
from api.policy import own_record

INVITE_DAYS = 7
_link_ended: list[Callable[..., None]] = []


def on_link_ended(listener: Callable[..., None]) -> Callable[..., None]:
    """Call ``listener(db_session=, link=, ended_by=)`` when a care link ends (alerts keep
    it). Added by a domain's ``register()`` at start-up; adding one twice keeps one."""
    if listener not in _link_ended:
        _link_ended.append(listener)
    return listener


@dataclass(frozen=True)
class EndedLink:
    """A care link that has just ended, as ``on_link_ended`` listeners receive it."""

    id: int
    patient_id: int
    therapist_id: int
    therapist_name: str
    ended_at: dt.datetime


@dataclass(frozen=True)
class NewInvite:
    code: str
    expires_at: dt.datetime


def create_invite(*, db_session: Session, therapist: User) -> NewInvite:
    code = credentials.new_invite_code()
    expires_at = utcnow() + dt.timedelta(days=INVITE_DAYS)
    db_session.add(
        CareInvite(
            therapist_id=therapist.id,
            code_hash=credentials.digest(credentials.normalise_invite_code(code)),
            expires_at=expires_at,
        )
    )
    db_session.flush()
    return NewInvite(code=code, expires_at=expires_at)


_BAD_CODE = "This code is not valid. Check it, or ask your therapist for a new one."


def redeem_invite(*, db_session: Session, patient: User, code: str) -> CareLink:
    """Link a patient to the inviting therapist. The claim is one conditional UPDATE."""
    now = utcnow()
    code_hash = credentials.digest(credentials.normalise_invite_code(code))
    invite = db_session.scalar(select(CareInvite).where(CareInvite.code_hash == code_hash))
    if invite is None:
        raise InvalidInput({"code": [_BAD_CODE]}, _BAD_CODE)
    if invite.used_at is not None:
        raise InvalidInput({"code": ["This code has already been used."]}, _BAD_CODE)
    if invite.expires_at <= now:
        raise InvalidInput({"code": ["This code has expired."]}, _BAD_CODE)
    claimed = db_session.execute(
        update(CareInvite)
        .where(CareInvite.id == invite.id, CareInvite.used_at.is_(None))
        .values(used_at=now, used_by_id=patient.id)
    ).rowcount
    if claimed != 1:
        raise InvalidInput({"code": ["This code has already been used."]}, _BAD_CODE)
    link = CareLink(therapist_id=invite.therapist_id, patient_id=patient.id, created_at=now)
    db_session.add(link)
    try:
        with db_session.begin_nested():
            db_session.flush()
    except IntegrityError as error:
        raise Conflict("You are already linked to this therapist.") from error
    return link


def links_stmt(user: User, active: bool | None) -> Select:
    column = CareLink.patient_id if user.role == Role.patient else CareLink.therapist_id
    stmt = select(CareLink).where(column == user.id)
    if active is True:
        stmt = stmt.where(CareLink.ended_at.is_(None))
    elif active is False:
        stmt = stmt.where(CareLink.ended_at.is_not(None))
    return stmt.order_by(CareLink.created_at.desc(), CareLink.id.desc())


def end_link(*, db_session: Session, user: User, link_id: int) -> CareLink:
    link = own_record(
        db_session,
        user,
        CareLink,
        link_id,
        label="Care link",
        owners=("patient_id", "therapist_id"),
    )
    if link.ended_at is None:
        link.ended_at = utcnow()
        link.ended_by_id = user.id
        db_session.flush()
        ended = EndedLink(
            id=link.id,
            patient_id=link.patient_id,
            therapist_id=link.therapist_id,
            therapist_name=link.therapist.display_name,
            ended_at=link.ended_at,
        )
        for listener in _link_ended:
            listener(db_session=db_session, link=ended, ended_by=user)
    return link


def patients_stmt(therapist: User) -> Select:
    return (
        select(User, CareLink.created_at)
        .join(CareLink, CareLink.patient_id == User.id)
        .where(*_active_links(therapist))
        .order_by(User.display_name, User.id)
    )


def _active_links(therapist: User) -> tuple[Any, ...]:
    return (CareLink.therapist_id == therapist.id, CareLink.ended_at.is_(None))


def patients_count_stmt(therapist: User) -> Select:
    """How many rows ``patients_stmt`` has: its active links (each names an existing
    user, the foreign key sees to it), counted on the links' index alone."""
    return select(func.count()).select_from(CareLink).where(*_active_links(therapist))


def has_active_therapist(db_session: Session, *, patient_id: int) -> bool:
    """True while at least one care link of the patient is active."""
    stmt = select(CareLink.id).where(CareLink.patient_id == patient_id, CareLink.ended_at.is_(None))
    return db_session.scalar(stmt.limit(1)) is not None


def active_therapist_exists(patient_id: ColumnElement[int]) -> Exists:
    """``has_active_therapist`` as an SQL expression, for another domain's statement."""
    return exists().where(CareLink.patient_id == patient_id, CareLink.ended_at.is_(None))


def linked_since(db_session: Session, *, therapist_id: int, patient_id: int) -> dt.datetime | None:
    return db_session.scalar(
        select(CareLink.created_at).where(
            CareLink.therapist_id == therapist_id,
            CareLink.patient_id == patient_id,
            CareLink.ended_at.is_(None),
        )
    )


def therapist_ids_of(db_session: Session, patient_id: int) -> list[int]:
    """The therapists actively linked to a patient, by id."""
    return list(
        db_session.scalars(
            select(CareLink.therapist_id)
            .where(CareLink.patient_id == patient_id, CareLink.ended_at.is_(None))
            .order_by(CareLink.therapist_id)
        )
    )


def patient_ids_of(db_session: Session, therapist_id: int) -> list[int]:
    """The patients actively linked to a therapist, by id."""
    return list(
        db_session.scalars(
            select(CareLink.patient_id).where(
                CareLink.therapist_id == therapist_id, CareLink.ended_at.is_(None)
            )
        )
    )


def ever_linked_stmt(therapist_id: int) -> Select:
    """A SELECT of the ids of the patients ever linked to a therapist (ended links too)."""
    return select(CareLink.patient_id).where(CareLink.therapist_id == therapist_id)


def therapists_of_stmt(patient_ids: Select) -> Select:
    """A SELECT of (id, timezone) of the therapists actively linked to any of the patients
    that ``patient_ids`` selects, each once, by id."""
    return (
        select(User.id, User.timezone)
        .join(CareLink, CareLink.therapist_id == User.id)
        .where(CareLink.ended_at.is_(None), CareLink.patient_id.in_(patient_ids))
        .distinct()
        .order_by(User.id)
    )


def ended_by_patient_stmt(therapist_id: int, since: dt.datetime) -> Select:
    """A SELECT of (id, ended_at) of the links to ``therapist_id`` that the patient ended
    since ``since`` and has not made again."""
    again = aliased(CareLink)
    relinked = exists().where(
        again.therapist_id == CareLink.therapist_id,
        again.patient_id == CareLink.patient_id,
        again.ended_at.is_(None),
    )
    return select(CareLink.id, CareLink.ended_at).where(
        CareLink.therapist_id == therapist_id,
        CareLink.ended_at >= since,
        CareLink.ended_by_id == CareLink.patient_id,
        ~relinked,
    )


def links_by_id_stmt(link_ids: list[int]) -> Select:
    """A SELECT of (id, patient_id, ended_at) of the given links."""
    return select(CareLink.id, CareLink.patient_id, CareLink.ended_at).where(
        CareLink.id.in_(link_ids)
    )
